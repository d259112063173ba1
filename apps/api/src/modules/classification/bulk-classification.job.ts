import { activeBackend } from '@dgascope/ml';
import type { JobInput } from '../../jobs/job-kinds';
import type { JobContext, JobDefinition, JobOutcome } from '../../jobs/job-runner';
import type { ModelsService } from '../models/models.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import type { PredictionsService } from '../predictions/predictions.service';
import { BATCH, classifyAndStore, openClassifier } from './classify-pipeline';

/**
 * A bulk-classification job: classifies a snapshot or a list in batches, writing predictions
 * keyed by (job, domain): a retry after a crash skips what is already written and fills in the
 * rest. A cancelled or finally failed job has its partial predictions removed. (A job larger
 * than a chunk is split over the workers instead: chunked/.)
 */
export class BulkClassificationJob implements JobDefinition<'CLASSIFICATION'> {
  readonly kind = 'CLASSIFICATION';

  constructor(
    private readonly models: ModelsService,
    private readonly predictions: PredictionsService,
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
      const { invalid, invalidExamples } = await classifyAndStore({
        batches: this.batches(request),
        classify: classifier.classify,
        write: (results) => this.predictions.write(ctx.jobId, request.modelId, results),
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
      const summary = await this.predictions.summary(ctx.jobId);
      return { result: { ...summary, invalid, invalidExamples, seconds: (Date.now() - started) / 1000 } };
    } finally {
      await classifier.close();
    }
  }

  async cleanUp(jobId: string): Promise<void> {
    await this.predictions.deleteForJob(jobId);
  }

  private async *batches(request: JobInput<'CLASSIFICATION'>): AsyncGenerator<string[]> {
    if (request.domains) {
      for (let i = 0; i < request.domains.length; i += BATCH) yield request.domains.slice(i, i + BATCH);
      return;
    }
    if (request.snapshotId == null) return;
    for await (const page of this.snapshotDomains.pages([request.snapshotId], BATCH)) yield page.map((d) => d.domain);
  }
}
