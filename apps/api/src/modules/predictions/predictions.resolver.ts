import { Verdict } from '@prisma/client';
import { Max, Min } from 'class-validator';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Float, InputType, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Connection, PageArgs } from '../../graphql/pagination';
import { DomainListing, DomainReport, Prediction } from './prediction.type';
import { PredictionsService } from './predictions.service';

const PredictionConnection = Connection(Prediction, 'Prediction');

@InputType()
export class PredictionFilterInput {
  @Field(() => String, { nullable: true }) domain?: string | null;
  @Field(() => String, { nullable: true }) family?: string | null;
  @Field(() => Float, { nullable: true }) @Min(0) @Max(1) minProbability?: number | null;
  @Field(() => Float, { nullable: true }) @Min(0) @Max(1) maxProbability?: number | null;
  @Field(() => Verdict, { nullable: true }) verdict?: Verdict | null;
  @Field(() => Boolean, { nullable: true, description: 'DGA of no family the model knows.' }) unknownFamily?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Also shows the (partial) output of a job that is not completed.' }) jobId?:
    string | null;
  @Field(() => Int, { nullable: true }) modelId?: number | null;
}

@ArgsType()
class PredictionsArgs extends PageArgs {
  @Field(() => PredictionFilterInput, { nullable: true }) filter?: PredictionFilterInput | null;

  @Field(() => String, { nullable: true, description: 'The startCursor of the next page: the page before it (instead of after).' })
  before?: string | null;
}

@Resolver(() => Prediction)
export class PredictionsResolver {
  constructor(private readonly predictionsService: PredictionsService) {}

  @Query(() => PredictionConnection, { description: 'Stored predictions, newest first.' })
  predictions(@Args(() => PredictionsArgs) { filter, first, after, before }: PredictionsArgs) {
    return this.predictionsService.list(filter ?? {}, first, after, before);
  }

  @FieldResolver(() => DomainListing, {
    nullable: true,
    description:
      "The domain's newest listing in a DGA or labelled feed's snapshot: its family is the domain's true family as that feed knows it. Null: no such feed lists it (top lists do not count).",
  })
  feedListing(@Root() prediction: Prediction, @Ctx() ctx: Context) {
    return ctx.loaders.feedListingByDomain.load(prediction.domain);
  }

  // Listings across snapshots and predictions across jobs: several SQL statements.
  @Query(() => DomainReport, { description: "A domain's feed listings and every prediction made for it.", complexity: 100 })
  domain(@Arg('name', () => String) name: string) {
    return this.predictionsService.domain(name);
  }
}
