import { Max, Min } from 'class-validator';
import { Arg, Args, ArgsType, Field, Int, Query, Resolver } from 'type-graphql';
import { AnalyticsService } from './analytics.service';
import { ClassSkew, LabelPolicyPreview, UnseenFamilies } from './analytics.types';

@ArgsType()
class LabelPolicyArgs {
  @Field(() => [Int])
  snapshotIds!: number[];

  @Field(() => Int, { nullable: true, defaultValue: 50, description: 'Families below this count become mergedDGA (seed: 50).' })
  @Min(0)
  mergeBelow?: number | null;

  @Field(() => Int, { nullable: true, description: 'At most this many classes; the smallest families beyond it become mergedDGA.' })
  @Min(2)
  @Max(10_000)
  maxClasses?: number | null;

  @Field(() => Int, { nullable: true, description: 'Families below this count are dropped from the data.' })
  @Min(0)
  dropBelow?: number | null;
}

@Resolver()
export class AnalyticsResolver {
  constructor(private readonly service: AnalyticsService) {}

  @Query(() => ClassSkew, { description: 'Count and fraction per family of one snapshot, or of several combined.' })
  skew(
    @Arg('snapshotIds', () => [Int]) snapshotIds: number[],
    @Arg('top', () => Int, { defaultValue: 10, description: 'Size of head and tail.' }) top: number,
  ) {
    return this.service.skew(snapshotIds, top);
  }

  @Query(() => UnseenFamilies, { description: 'Families in B absent from A, and the reverse.' })
  unseenFamilies(@Arg('a', () => Int) a: number, @Arg('b', () => Int) b: number) {
    return this.service.unseenFamilies(a, b);
  }

  @Query(() => LabelPolicyPreview, { description: 'Which families a label policy keeps, merges into mergedDGA, or drops.' })
  labelPolicyPreview(@Args(() => LabelPolicyArgs) { snapshotIds, mergeBelow, maxClasses, dropBelow }: LabelPolicyArgs) {
    return this.service.labelPolicyPreview(snapshotIds, {
      ...(mergeBelow != null ? { mergeBelow } : {}),
      ...(maxClasses != null ? { maxClasses } : {}),
      ...(dropBelow != null ? { dropBelow } : {}),
    });
  }
}
