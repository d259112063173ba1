import { JobKind, JobState } from '@prisma/client';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Float, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Model } from '../models/model.type';
import { Connection, PageArgs } from '../../graphql/pagination';
import type { InvalidNames } from '../classification/invalid-names';
import { BulkClassificationResult, InvalidName, Job, JobProgress } from './job.type';
import { JobsService } from './jobs.service';

const JobConnection = Connection(Job, 'Job');
const InvalidNameConnection = Connection(InvalidName, 'InvalidName');

@ArgsType()
class InvalidNamesArgs extends PageArgs {}

@ArgsType()
class JobsArgs extends PageArgs {
  @Field(() => JobKind, { nullable: true }) kind?: JobKind | null;
  @Field(() => JobState, { nullable: true }) state?: JobState | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The typed view of a completed bulk job's stored result (jobs.result); null for any other job. */
export function toBulkResult(job: Pick<Job, 'kind' | 'state' | 'result'>): BulkClassificationResult | null {
  if (job.kind !== JobKind.CLASSIFICATION || job.state !== JobState.COMPLETED) return null;
  if (!job.result || typeof job.result !== 'object') return null;
  const r = job.result as Record<string, unknown>;
  const int = (v: unknown) => num(v) ?? 0;
  const perFamily = Array.isArray(r.perFamily) ? (r.perFamily as Array<{ family: unknown; count: unknown }>) : [];
  return {
    classified: int(r.classified),
    benign: int(r.benign),
    dga: int(r.dga),
    dgaKnownFamily: int(r.dgaKnownFamily),
    unknownFamily: int(r.unknownFamily),
    invalid: int(r.invalid),
    perFamily: perFamily.map((f) => ({ family: String(f.family), count: int(f.count) })),
    seconds: num(r.seconds) ?? 0,
  };
}

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
  constructor(
    private readonly service: JobsService,
    private readonly invalidNameRows: InvalidNames,
  ) {}

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

  @FieldResolver(() => Float, {
    nullable: true,
    description: 'Seconds from the start of its latest attempt to its end, or to now while it runs; null until it starts.',
  })
  durationSeconds(@Root() job: Job): number | null {
    if (!job.startedAt) return null;
    return ((job.finishedAt ?? new Date()).getTime() - job.startedAt.getTime()) / 1000;
  }

  @FieldResolver(() => BulkClassificationResult, { nullable: true, description: 'Bulk classification, once completed: its counts.' })
  classification(@Root() job: Job): BulkClassificationResult | null {
    return toBulkResult(job);
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Evaluation, once completed: the evaluation it stored.' })
  evaluationId(@Root() job: Job): number | null {
    if (job.kind !== JobKind.EVALUATION || job.state !== JobState.COMPLETED) return null;
    const id = (job.result as { evaluationId?: unknown } | null)?.evaluationId;
    return typeof id === 'number' ? id : null;
  }

  @FieldResolver(() => InvalidNameConnection, {
    description:
      'Bulk classification: the names it could not classify, in line order, with why (also while it runs). Empty for other kinds.',
  })
  invalidNames(@Root() job: Job, @Args(() => InvalidNamesArgs) { first, after }: InvalidNamesArgs) {
    return this.invalidNameRows.page(job.id, first, after);
  }
}
