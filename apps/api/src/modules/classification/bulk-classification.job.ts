import { activeBackend, InferencePool, type ClassifyResult, type DgaModel } from '@dgascope/ml';
import type { JobInput } from '../../jobs/job-kinds';
import { JobCancelledError, type JobContext, type JobDefinition, type JobOutcome } from '../../jobs/job-runner';
import type { ModelsService } from '../models/models.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import type { PredictionsService } from '../predictions/predictions.service';

const BATCH = 16384;

/**
 * A bulk-classification job: classifies a snapshot or a list in batches, writing predictions
 * keyed by (job, domain): a retry after a crash skips what is already written and fills in the
 * rest. A cancelled or finally failed job has its partial predictions removed.
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
    let model: DgaModel | null = null;
    let pool: InferencePool | null = null;
    // The batch write in flight, if any. It is awaited before the runner cleans up a cancelled or
    // failed job: a write that committed after the clean-up would leave partial predictions behind.
    let writing: Promise<void> = Promise.resolve();
    try {
      model = await this.models.load(request.modelId);
      const loaded = model;
      // Each batch is split across the threads, so that all of them work on every batch.
      if (this.inferenceThreads > 0)
        pool = await InferencePool.create(model, { workers: this.inferenceThreads, chunkSize: Math.ceil(BATCH / this.inferenceThreads) });
      const threads = pool;
      const classify = (names: string[]) => (threads ? threads.classify(names) : Promise.resolve(loaded.classify(names)));
      const total = request.snapshotId != null ? await this.snapshotDomains.count([request.snapshotId]) : (request.domains?.length ?? 0);
      let processed = 0;
      let invalid = 0;
      const invalidExamples: Array<{ domain: string; error: string }> = [];
      const started = Date.now();
      // A pipeline that keeps the inference threads busy: while batch n + 1 is being
      // classified, batch n's results are written and batch n + 2 is read from PostgreSQL.
      const finish = async (names: string[], classified: Promise<ClassifyResult[]>) => {
        const results = await classified;
        await writing;
        writing = this.predictions.write(ctx.jobId, request.modelId, results);
        // Awaited on the next turn; handled now so a failed write is not an unhandled rejection meanwhile.
        writing.catch(() => undefined);
        for (const r of results) {
          if (!r.ok) {
            invalid += 1;
            if (invalidExamples.length < 20) invalidExamples.push({ domain: r.domain, error: r.error });
          }
        }
        processed += names.length;
        const rate = processed / Math.max((Date.now() - started) / 1000, 1e-3);
        await ctx.report({
          stage: 'classifying',
          processed,
          total,
          domainsPerSec: Math.round(rate),
          etaSeconds: Math.round((total - processed) / rate),
        });
      };
      let previous: { names: string[]; classified: Promise<ClassifyResult[]> } | null = null;
      for await (const names of prefetchOne(this.batches(request))) {
        if (ctx.signal.aborted) throw new JobCancelledError();
        const current = { names, classified: classify(names) };
        current.classified.catch(() => undefined);
        if (previous) await finish(previous.names, previous.classified);
        previous = current;
      }
      if (previous) await finish(previous.names, previous.classified);
      await writing;
      const summary = await this.predictions.summary(ctx.jobId);
      return { result: { ...summary, invalid, invalidExamples, seconds: (Date.now() - started) / 1000 } };
    } finally {
      await writing.catch(() => undefined);
      await pool?.close();
      model?.dispose();
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

/** Iterates `source` while already fetching its next item (the next page comes from PostgreSQL as this one is classified). */
async function* prefetchOne<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const fetch = () => {
    const promise = iterator.next();
    // Handled here too, so that a failure after the consumer stopped cannot crash the process.
    promise.catch(() => undefined);
    return promise;
  };
  let next = fetch();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = fetch();
    yield current.value;
  }
}
