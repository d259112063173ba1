import { Arg, Args, ArgsType, Ctx, Field, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { LabelPolicyFields, labelPolicyOf } from '../training/label-policy.input';
import { AnalyticsService } from './analytics.service';
import { ClassSkew, LabelPolicyPreview, UnseenFamilies } from './analytics.types';

@ArgsType()
class LabelPolicyArgs extends LabelPolicyFields {
  @Field(() => [Int])
  snapshotIds!: number[];
}

/**
 * Query cost of the analytics fields, by the work they do (MAX_QUERY_COST is 25,000 by default):
 * each snapshot's family counts are three SQL statements over the counts table, where an
 * ordinary field costs 1. A thousand aliases of them would otherwise cost a thousand.
 */
export const SNAPSHOT_COUNTS_COST = 250;
const perSnapshot = ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }) =>
  SNAPSHOT_COUNTS_COST * Math.max(1, new Set(Array.isArray(args.snapshotIds) ? args.snapshotIds : []).size) + childComplexity;

@Resolver()
export class AnalyticsResolver {
  constructor(private readonly service: AnalyticsService) {}

  @Query(() => ClassSkew, {
    description: 'Count and fraction per family of one snapshot, or of several combined.',
    complexity: perSnapshot,
  })
  skew(
    @Arg('snapshotIds', () => [Int]) snapshotIds: number[],
    @Arg('top', () => Int, { defaultValue: 10, description: 'Size of head and tail.' }) top: number,
    @Ctx() ctx: Context,
  ) {
    return this.service.skew(snapshotIds, top, ctx.signal);
  }

  @Query(() => UnseenFamilies, {
    description: 'Families in B absent from A, and the reverse.',
    complexity: ({ childComplexity }) => 2 * SNAPSHOT_COUNTS_COST + childComplexity,
  })
  unseenFamilies(@Arg('a', () => Int) a: number, @Arg('b', () => Int) b: number, @Ctx() ctx: Context) {
    return this.service.unseenFamilies(a, b, ctx.signal);
  }

  @Query(() => LabelPolicyPreview, {
    description:
      'Which families a label policy keeps, merges into mergedDGA, or drops: counted as training counts them (after the input-form reduction and its de-duplication).',
    complexity: perSnapshot,
  })
  labelPolicyPreview(@Args(() => LabelPolicyArgs) args: LabelPolicyArgs, @Ctx() ctx: Context) {
    return this.service.labelPolicyPreview(args.snapshotIds, labelPolicyOf(args), args.inputForm, ctx.signal);
  }
}
