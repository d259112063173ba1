import { JobKind, JobState } from '@prisma/client';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Model } from '../models/model.type';
import { Connection, PageArgs } from '../../graphql/pagination';
import { Job, JobProgress } from './job.type';
import { JobsService } from './jobs.service';

const JobConnection = Connection(Job, 'Job');

@ArgsType()
class JobsArgs extends PageArgs {
  @Field(() => JobKind, { nullable: true }) kind?: JobKind | null;
  @Field(() => JobState, { nullable: true }) state?: JobState | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function toJobProgress(raw: unknown): JobProgress | null {
  if (!raw || typeof raw !== 'object') return null;
  const p = raw as Record<string, unknown>;
  const validation = (p.validation ?? {}) as Record<string, unknown>;
  const epoch = num(p.epoch);
  const epochs = num(p.epochs);
  const batch = num(p.batch);
  const batches = num(p.batches);
  const processed = num(p.processed);
  const total = num(p.total);
  let fraction: number | null = null;
  if (epoch !== null && epochs && batch !== null && batches) fraction = Math.min(1, (epoch - 1 + batch / batches) / epochs);
  else if (processed !== null && total) fraction = Math.min(1, processed / total);
  return {
    stage: typeof p.stage === 'string' ? p.stage : null,
    fraction,
    epoch,
    epochs,
    batch,
    batches,
    loss: num(p.loss),
    samplesPerSec: num(p.samplesPerSec),
    etaSeconds: num(p.etaSeconds),
    validationLoss: num(validation.loss),
    validationAccuracy: num(validation.accuracy),
    validationMacroF1: num(validation.macroF1),
    processed,
    total,
    domainsPerSec: num(p.domainsPerSec),
  };
}

@Resolver(() => Job)
export class JobsResolver {
  constructor(private readonly service: JobsService) {}

  @Query(() => JobConnection, { description: 'Jobs, newest first.' })
  jobs(@Args(() => JobsArgs) { kind, state, first, after }: JobsArgs) {
    return this.service.list({ kind, state }, first, after);
  }

  @Query(() => Job)
  job(@Arg('id', () => String) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => Job, { description: 'Cancel a queued job at once, or a running one at its next batch.' })
  cancelJob(@Arg('id', () => String) id: string) {
    return this.service.cancel(id);
  }

  @FieldResolver(() => Model, { nullable: true, description: 'Training: the model produced. Classification: the model used.' })
  model(@Root() job: Job, @Ctx() ctx: Context) {
    return job.modelId == null ? null : ctx.loaders.modelById.load(job.modelId);
  }

  @FieldResolver(() => JobProgress, { nullable: true })
  progress(@Root() job: Job): JobProgress | null {
    return toJobProgress(job.progress);
  }
}
