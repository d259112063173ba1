import {
  ensureBackend,
  TrainingAbortedError,
  trainClassifier,
  type BackendChoice,
  type DgaModel,
  type LabeledDomain,
  type TrainProgress,
} from '@dgascope/ml';
import { ModelStatus } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { JobInput } from '../../jobs/job-kinds';
import { JobCancelledError, type JobContext, type JobDefinition, type JobOutcome } from '../../jobs/job-runner';
import type { JobsService } from '../jobs/jobs.service';
import type { ModelsService } from '../models/models.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import { describeOptions, trainOptionsFor } from './training-options';

const READ_PAGE = 50_000;

/**
 * A training job: reads the snapshots, trains, evaluates on the held-out test split and stores
 * the model with its evaluation. A retried job reuses its model row (keyed by the job id), so
 * it never creates a second model version.
 */
export class TrainingJob implements JobDefinition<'TRAINING'> {
  readonly kind = 'TRAINING';

  constructor(
    private readonly snapshotDomains: SnapshotDomains,
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
    private readonly forcedBackend: BackendChoice | undefined,
  ) {}

  async alreadyDone(jobId: string): Promise<JobOutcome<'TRAINING'> | null> {
    const done = await this.models.ofTrainingJob(jobId);
    if (!done || done.status === ModelStatus.TRAINING || done.status === ModelStatus.FAILED) return null;
    return { result: { modelId: done.id, note: 'model stored by an earlier attempt' }, modelId: done.id };
  }

  async backend(): Promise<string> {
    return (await ensureBackend(this.forcedBackend ? { backend: this.forcedBackend } : {})).choice;
  }

  async run(request: JobInput<'TRAINING'>, ctx: JobContext<'TRAINING'>): Promise<JobOutcome<'TRAINING'>> {
    const options = trainOptionsFor(request);
    const modelId = await this.models.beginTraining(ctx.jobId, {
      config: { ...request, snapshotIds: undefined, options: describeOptions(options) },
      snapshotIds: request.snapshotIds,
      parentId: request.warmStartModelId,
    });
    await this.jobs.attachModel(ctx.jobId, modelId);

    let warm: DgaModel | undefined;
    try {
      if (request.warmStartModelId != null) warm = await this.models.load(request.warmStartModelId);
      const data: LabeledDomain[] = [];
      for await (const page of this.snapshotDomains.pages(request.snapshotIds, READ_PAGE)) {
        for (const { domain, family } of page) data.push({ domain, label: family });
        await ctx.report({ stage: 'reading', domainsRead: data.length });
        if (ctx.signal.aborted) throw new JobCancelledError();
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
      const familyLabels = result.prepared.plan
        ? Object.fromEntries(result.prepared.plan.decisions.map((d) => [d.family, d.label]))
        : Object.fromEntries(result.prepared.labels.map((l) => [l, l]));
      await this.models.markReady(modelId, model, result.test ?? null, familyLabels);
      model.dispose();
      return {
        modelId,
        result: {
          modelId,
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
        },
      };
    } catch (err) {
      throw err instanceof TrainingAbortedError ? new JobCancelledError() : err;
    } finally {
      warm?.dispose();
    }
  }

  /** A cancelled or finally failed job's model is FAILED (its row stays, for the record). */
  async cleanUp(jobId: string): Promise<void> {
    await this.models.markTrainingFailed(jobId);
  }
}
