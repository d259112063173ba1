import { Verdict } from '@prisma/client';
import { ArrayMaxSize, Max, Min } from 'class-validator';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { AppError } from '../../errors/app-error';
import { readDomainList } from './domain-list';
import { Arg, Args, ArgsType, Field, Float, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Job } from '../jobs/job.type';
import { ClassificationService, MAX_LIST_DOMAINS } from './classification.service';
import { toClassification } from './classification.mapper';
import { Classification, DomainReport, Prediction } from './prediction.type';
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

@InputType({ description: 'Exactly one of snapshotId, domains or file.' })
class StartClassificationInput {
  @Field(() => Int, { nullable: true }) snapshotId?: number | null;
  @Field(() => GraphQLUpload, {
    nullable: true,
    description: `An uploaded list: one name a line, or CSV whose last column is the name (rank,domain or family,domain); # comments skipped. At most ${MAX_LIST_DOMAINS} names.`,
  })
  file?: Promise<FileUpload> | null;
  @Field(() => [String], { nullable: true, description: `At most ${MAX_LIST_DOMAINS}.` }) @ArrayMaxSize(MAX_LIST_DOMAINS) domains?:
    string[] | null;
  @Field(() => Int, { nullable: true, description: 'Default: the promoted model.' }) modelId?: number | null;
}

@Resolver()
export class ClassificationResolver {
  constructor(
    private readonly classification: ClassificationService,
    private readonly predictionsService: PredictionsService,
  ) {}

  @Query(() => [Classification], {
    description:
      'Classify domains now with the promoted model (up to CLASSIFY_MAX_DOMAINS), by its verdict rule unless overridden for this call.',
  })
  async classify(
    @Arg('domains', () => [String]) domains: string[],
    @Arg('dgaThreshold', () => Float, { nullable: true, description: "Instead of the model's DGA threshold (dgaScore ≥ this → DGA)." })
    dgaThreshold?: number | null,
    @Arg('noveltyThreshold', () => Float, {
      nullable: true,
      description: "Instead of the model's novelty threshold (novelty above this → unknown family).",
    })
    noveltyThreshold?: number | null,
    @Arg('unknownFamily', () => Boolean, {
      nullable: true,
      defaultValue: true,
      description: 'false: never answer "unknown family" (the nearest family instead).',
    })
    unknownFamily?: boolean,
  ): Promise<Classification[]> {
    const { modelId, results } = await this.classification.classifyNow(domains, {
      ...(dgaThreshold != null ? { dgaThreshold } : {}),
      ...(unknownFamily === false ? { noveltyThreshold: null } : noveltyThreshold != null ? { noveltyThreshold } : {}),
    });
    return results.map((r) => toClassification(r, modelId));
  }

  @Query(() => PredictionConnection, { description: 'Stored predictions, newest first.' })
  predictions(@Args(() => PredictionsArgs) { filter, first, after }: PredictionsArgs) {
    return this.predictionsService.list(filter ?? {}, first, after);
  }

  // Listings across snapshots and predictions across jobs: several SQL statements.
  @Query(() => DomainReport, { description: "A domain's feed listings and every prediction made for it.", complexity: 100 })
  domain(@Arg('name', () => String) name: string) {
    return this.predictionsService.domain(name);
  }

  @Mutation(() => Job, { description: 'Queue a bulk classification of a snapshot or a list.' })
  async startClassification(@Arg('input', () => StartClassificationInput) input: StartClassificationInput) {
    const { file, ...rest } = input;
    if (file && rest.domains) throw new AppError('BAD_USER_INPUT', 'SOURCE_REQUIRED', 'give exactly one of snapshotId, domains or file');
    const domains = file ? await readDomainList(await file) : rest.domains;
    return this.classification.start({ ...rest, domains });
  }
}
