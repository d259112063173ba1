import { Verdict } from '@prisma/client';
import { Max, Min } from 'class-validator';
import { Arg, Args, ArgsType, Field, Float, InputType, Int, Query, Resolver } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination';
import { DomainReport, Prediction } from './prediction.type';
import { PredictionsService } from './predictions.service';

const PredictionConnection = Connection(Prediction, 'Prediction');

@InputType()
class PredictionFilterInput {
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
}

@Resolver()
export class PredictionsResolver {
  constructor(private readonly predictionsService: PredictionsService) {}

  @Query(() => PredictionConnection, { description: 'Stored predictions, newest first.' })
  predictions(@Args(() => PredictionsArgs) { filter, first, after }: PredictionsArgs) {
    return this.predictionsService.list(filter ?? {}, first, after);
  }

  // Listings across snapshots and predictions across jobs: several SQL statements.
  @Query(() => DomainReport, { description: "A domain's feed listings and every prediction made for it.", complexity: 100 })
  domain(@Arg('name', () => String) name: string) {
    return this.predictionsService.domain(name);
  }
}
