import { activeBackend } from '@dgascope/ml';
import type { JobInput, JobResult } from '../../jobs/job-kinds';
import type { JobContext, JobDefinition, JobOutcome } from '../../jobs/job-runner';
import type { ModelsService } from '../models/models.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import type { PredictionsService } from '../predictions/predictions.service';
import { BATCH, classifyAndStore, invalidOf, openClassifier, type Batch } from './classify-pipeline';
import type { InvalidNames } from './invalid-names';

/** Invalid names copied into the job's result; all of them are in job_invalid_names. */
const INVALID_EXAMPLES = 20;

/**
 * A bulk-classification job: classifies a snapshot or a list in batches, writing predictions
 * keyed by (job, domain): a retry after a crash skips what is already written and fills in the
 * rest. Each name that cannot be classified is recorded with its line and why. A cancelled or
 * finally failed job has its partial predictions and invalid names removed. (A job larger than a
 * chunk is split over the workers instead: chunked/.)
 */
export class BulkClassificationJob implements JobDefinition<'CLASSIFICATION'> {
  readonly kind = 'CLASSIFICATION';

  constructor(
    private readonly models: ModelsService,
    private readonly predictions: PredictionsService,
    private readonly invalidNames: InvalidNames,
    private readonly snapshotDomains: SnapshotDomains,
    /** Inference threads (worker_threads with their own backend); 0 = this thread. */
    private readonly inferenceThreads: number,
  ) {}

  async backend(): Promise<string | null> {
    return activeBackend()?.choice ?? null;
  }

  async run(request: JobInput<'CLASSIFICATION'>, ctx: JobContext<'CLASSIFICATION'>): Promise<JobOutcome<'CLASSIFICATION'>> {
    const classifier = await openClassifier(this.models, request.modelId, this.inferenceThreads);
    try {
      const total = request.snapshotId != null ? await this.snapshotDomains.count([request.snapshotId]) : (request.domains?.length ?? 0);
      const started = Date.now();
      await classifyAndStore({
        batches: this.batches(request),
        classify: classifier.classify,
        write: (batch, results) => this.write(ctx.jobId, request.modelId, batch, results),
        signal: ctx.signal,
        onBatch: async (processed) => {
          const rate = processed / Math.max((Date.now() - started) / 1000, 1e-3);
          await ctx.report({
            stage: 'classifying',
            processed,
            total,
            domainsPerSec: Math.round(rate),
            etaSeconds: Math.round((total - processed) / rate),
          });
        },
      });
      return { result: { ...(await this.summary(ctx.jobId)), seconds: (Date.now() - started) / 1000 } };
    } finally {
      await classifier.close();
    }
  }

  /** Stores a batch's predictions and its invalid names (also the chunks of a split job). */
  async write(jobId: string, modelId: number, batch: Batch, results: Parameters<PredictionsService['write']>[2]): Promise<void> {
    await Promise.all([this.predictions.write(jobId, modelId, results), this.invalidNames.record(jobId, invalidOf(batch, results))]);
  }

  async cleanUp(jobId: string): Promise<void> {
    await Promise.all([this.predictions.deleteForJob(jobId), this.invalidNames.deleteForJob(jobId)]);
  }

  /** Counts from what is stored (a retried job counts each name once; a split job the same as one piece). */
  async summary(jobId: string): Promise<Omit<JobResult<'CLASSIFICATION'>, 'seconds'>> {
    const [counts, invalid, examples] = await Promise.all([
      this.predictions.summary(jobId),
      this.invalidNames.count(jobId),
      this.invalidNames.page(jobId, INVALID_EXAMPLES),
    ]);
    const invalidExamples = examples.nodes.map((n) => ({ line: n.line, domain: n.name, error: n.reason }));
    return { ...counts, invalid, invalidExamples };
  }

  private async *batches(request: JobInput<'CLASSIFICATION'>): AsyncGenerator<Batch> {
    if (request.domains) {
      const lines = request.lines ?? request.domains.map((_, i) => i + 1);
      for (let i = 0; i < request.domains.length; i += BATCH)
        yield { names: request.domains.slice(i, i + BATCH), lines: lines.slice(i, i + BATCH) };
      return;
    }
    if (request.snapshotId == null) return;
    yield* this.snapshotDomains.namePages(request.snapshotId, BATCH);
  }
}
