import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Job } from '../jobs/job.type';
import { Model } from '../models/model.type';
import { Snapshot } from '../snapshots/snapshot.type';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import { toEvaluation } from './evaluation.mapper';
import { ModelEvaluation } from './evaluation.type';
import type { EvaluationsService } from './evaluations.service';

@Resolver(() => ModelEvaluation)
export class EvaluationsResolver {
  constructor(
    private readonly service: EvaluationsService,
    private readonly snapshots: SnapshotsService,
  ) {}

  @Query(() => [ModelEvaluation], { description: 'Evaluations of a model, of a snapshot, or of both; oldest snapshot first.' })
  async evaluations(
    @Arg('modelId', () => Int, { nullable: true }) modelId?: number | null,
    @Arg('snapshotId', () => Int, { nullable: true }) snapshotId?: number | null,
  ): Promise<ModelEvaluation[]> {
    return (await this.service.list({ modelId, snapshotId })).map(toEvaluation);
  }

  @Query(() => ModelEvaluation)
  async evaluation(@Arg('id', () => Int) id: number): Promise<ModelEvaluation> {
    return toEvaluation(await this.service.get(id));
  }

  @Mutation(() => Job, {
    description:
      'Queue an evaluation of a model (default: the promoted one) on a labelled snapshot; one already queued or running for the pair is returned instead. A new one replaces the earlier evaluation of the pair.',
  })
  startEvaluation(
    @Arg('snapshotId', () => Int) snapshotId: number,
    @Arg('modelId', () => Int, { nullable: true }) modelId?: number | null,
  ) {
    return this.service.start({ snapshotId, modelId });
  }

  @FieldResolver(() => Model)
  model(@Root() e: ModelEvaluation, @Ctx() ctx: Context) {
    return ctx.loaders.modelById.load(e.modelId);
  }

  @FieldResolver(() => Snapshot)
  snapshot(@Root() e: ModelEvaluation) {
    return this.snapshots.get(e.snapshotId);
  }
}
