import {
  DEFAULT_PRESET,
  PRESETS,
  ensureBackend,
  modelToBuffer,
  TrainingAbortedError,
  trainClassifier,
  type BackendChoice,
  type DgaModel,
  type LabeledDomain,
  type TrainProgress,
} from '@dgascope/ml';
import { JobKind, JobState, ModelStatus, type Job, type Prisma, type PrismaClient } from '@prisma/client';
import type { Pool } from 'pg';
import { AppError } from '../../errors/app-error';
import type { JobsService } from '../jobs/jobs.service';
import type { ModelsService } from '../models/models.service';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import { decisionColumns } from '../models/decision-columns';
import { describeOptions, trainOptionsFor } from './training-options';
import { readTrainingData } from './training-data';
import { TrainingRequest, type StartTrainingInput, type TrainingPreset } from './training.types';

export interface RunContext {
  /** 1-based attempt number. */
  attempt: number;
  /** No retry follows if this attempt fails. */
  final: boolean;
  signal: AbortSignal;
  report(progress: Record<string, unknown>): Promise<void> | void;
}

export class TrainingService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: Pool,
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    private readonly snapshots: SnapshotsService,
    private readonly backend: BackendChoice | undefined,
  ) {}

  presets(): TrainingPreset[] {
    return Object.values(PRESETS).map((p) => ({
      name: p.name,
      description: p.description,
      isDefault: p.name === DEFAULT_PRESET,
      loss: p.options.loss ?? null,
      epochs: p.options.epochs ?? null,
      classWeights: typeof p.options.classWeights === 'string' ? p.options.classWeights : (p.options.classWeights?.kind ?? null),
    }));
  }

  async start(input: StartTrainingInput): Promise<Job> {
    await this.snapshots.requireAll(input.snapshotIds);
    if (input.warmStartModelId != null) {
      const parent = await this.models.get(input.warmStartModelId);
      if (parent.status === ModelStatus.TRAINING || parent.status === ModelStatus.FAILED) {
        throw new AppError(
          'CONFLICT',
          'MODEL_NOT_READY',
          `model ${parent.id} is ${parent.status.toLowerCase()} and cannot be warm-started from`,
        );
      }
    }
    const request: TrainingRequest = {
      snapshotIds: [...new Set(input.snapshotIds)].sort((a, b) => a - b),
      labelPolicy: {
        ...(input.mergeBelow != null ? { mergeBelow: input.mergeBelow } : {}),
        ...(input.maxClasses != null ? { maxClasses: input.maxClasses } : {}),
        ...(input.dropBelow != null ? { dropBelow: input.dropBelow } : {}),
      },
      preset: input.preset ?? DEFAULT_PRESET,
      seed: input.seed,
      inputForm: input.inputForm,
      earlyStoppingPatience: input.earlyStoppingPatience,
      warmStartModelId: input.warmStartModelId ?? null,
      epochs: input.epochs ?? null,
      batchSize: input.batchSize ?? null,
      learningRate: input.learningRate ?? null,
      classWeights: input.classWeights ?? null,
      loss: input.loss ?? null,
      embeddingDim: input.embeddingDim ?? null,
      lstmUnits: input.lstmUnits ?? null,
      filters: input.filters ?? null,
      dropout: input.dropout ?? null,
      maxLength: input.maxLength ?? null,
      targetBenignFpr: input.targetBenignFpr ?? null,
      noveltyMethod: input.noveltyMethod ?? null,
      targetRejectRate: input.targetRejectRate ?? null,
    };
    // The same schema the worker reads it back with: a request that cannot run is refused now.
    const parsed = TrainingRequest.safeParse(request);
    if (!parsed.success)
      throw new AppError(
        'BAD_USER_INPUT',
        'INVALID_TRAINING_INPUT',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    return this.jobs.create(JobKind.TRAINING, request as unknown as Prisma.InputJsonValue);
  }

  /**
   * Runs a training job: reads the snapshots, trains, evaluates on the held-out test split
   * and stores the model with its evaluation. A retried job reuses its model row (keyed by
   * the job id), so it never creates a second model version.
   */
  async run(jobId: string, ctx: RunContext): Promise<void> {
    const job = await this.jobs.get(jobId);
    if (job.state === JobState.CANCELLED || job.state === JobState.COMPLETED) return;
    if (job.cancelRequested) return this.jobs.markCancelled(jobId);
    const done = await this.prisma.mlModel.findUnique({ where: { trainingJobId: jobId }, select: { id: true, status: true } });
    if (done && done.status !== ModelStatus.TRAINING && done.status !== ModelStatus.FAILED) {
      // The previous attempt stored its model and died before marking the job complete.
      return this.jobs.complete(jobId, { modelId: done.id, note: 'model stored by an earlier attempt' }, done.id);
    }
    const request = TrainingRequest.parse(job.input);
    const options = trainOptionsFor(request);
    const backend = await ensureBackend(this.backend ? { backend: this.backend } : {});
    await this.jobs.start(jobId, ctx.attempt, backend.choice);

    const config = { ...request, snapshotIds: undefined, options: describeOptions(options) };
    const row = await this.prisma.mlModel.upsert({
      where: { trainingJobId: jobId },
      create: {
        trainingJobId: jobId,
        status: ModelStatus.TRAINING,
        architecture: {},
        config: config as Prisma.InputJsonValue,
        labels: [],
        snapshotIds: request.snapshotIds,
        parentId: request.warmStartModelId,
      },
      update: { status: ModelStatus.TRAINING },
      select: { id: true },
    });
    await this.prisma.job.update({ where: { id: jobId }, data: { modelId: row.id } });

    let warm: DgaModel | undefined;
    try {
      if (request.warmStartModelId != null) warm = await this.models.load(request.warmStartModelId);
      const data: LabeledDomain[] = [];
      for await (const page of readTrainingData(this.pool, request.snapshotIds)) {
        for (const item of page) data.push(item);
        await ctx.report({ stage: 'reading', domainsRead: data.length });
        if (ctx.signal.aborted) throw new TrainingAbortedError('cancelled');
      }
      if (data.length === 0) throw new AppError('BAD_USER_INPUT', 'NO_TRAINING_DATA', 'the snapshots hold no domains');
      let lastReport = 0;
      const result = await trainClassifier(data, {
        labelPolicy: request.labelPolicy,
        inputForm: { reduction: request.inputForm },
        split: { seed: request.seed },
        train: {
          ...options,
          ...(warm ? { warmStart: warm } : {}),
          signal: ctx.signal,
          onProgress: (p: TrainProgress) => {
            // At most one progress write a second, and always at the end of an epoch.
            if (p.phase === 'epoch' || Date.now() - lastReport > 1000) {
              lastReport = Date.now();
              void ctx.report({ ...p, stage: 'training' });
            }
          },
        },
      });
      const model = result.model;
      const artifact = new Uint8Array(modelToBuffer(model));
      await this.prisma.mlModel.update({
        where: { id: row.id },
        data: {
          status: ModelStatus.READY,
          architecture: model.config as unknown as Prisma.InputJsonValue,
          labels: [...model.labels],
          dataFingerprint: model.meta.trainingFingerprint,
          trainingSamples: model.meta.trainingSamples,
          backend: model.meta.trainedWith,
          metrics: (result.test ?? null) as unknown as Prisma.InputJsonValue,
          ...decisionColumns(model),
          artifact,
          artifactBytes: artifact.length,
          readyAt: new Date(),
        },
      });
      await this.jobs.complete(
        jobId,
        {
          modelId: row.id,
          classes: model.labels.length,
          trainingSamples: model.meta.trainingSamples,
          epochs: result.history.length,
          accuracy: result.test?.accuracy ?? null,
          macroF1: result.test?.macro.f1 ?? null,
          auc: result.test?.binary?.auc ?? null,
          preset: model.meta.preset,
          loss: model.meta.loss,
          dgaThreshold: model.meta.decision?.dgaThreshold ?? null,
          noveltyThreshold: model.meta.decision?.novelty?.threshold ?? null,
          benignFlaggedRate: result.test?.benignFlaggedRate ?? null,
          unknownFamilyRate: result.test?.unknownFamilyRate ?? null,
          preparation: result.prepared.stats,
        } as unknown as Prisma.InputJsonValue,
        row.id,
      );
      model.dispose();
    } catch (err) {
      if (err instanceof TrainingAbortedError || ctx.signal.aborted) {
        await this.prisma.mlModel.update({ where: { id: row.id }, data: { status: ModelStatus.FAILED } });
        await this.jobs.markCancelled(jobId);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      const final = ctx.final || err instanceof AppError;
      if (final) await this.prisma.mlModel.update({ where: { id: row.id }, data: { status: ModelStatus.FAILED } });
      await this.jobs.fail(jobId, message, final);
      throw err;
    } finally {
      warm?.dispose();
    }
  }
}
