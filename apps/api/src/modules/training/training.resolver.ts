import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Job } from '../jobs/job.type';
import { TrainingService } from './training.service';
import { StartTrainingInput, TrainingPreset } from './training.types';

@Resolver()
export class TrainingResolver {
  constructor(private readonly service: TrainingService) {}

  @Mutation(() => Job, { description: 'Queue a training job on some snapshots; it stores a new model version with its evaluation.' })
  startTraining(@Arg('input', () => StartTrainingInput) input: StartTrainingInput, @Ctx() ctx: Context) {
    return this.service.start(input, ctx.actor?.name ?? null);
  }

  @Query(() => [TrainingPreset], { description: 'The named training recipes startTraining accepts.' })
  presets(): TrainingPreset[] {
    return this.service.presets();
  }
}
