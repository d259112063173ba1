import { activeBackend, InferencePool, type ClassifyResult, type DgaModel } from '@dgascope/ml';
import type { JobInput, JobResult } from '../../jobs/job-kinds';
import { JobCancelledError, type JobContext, type JobDefinition, type JobOutcome } from '../../jobs/job-runner';
import type { ModelsService } from '../models/models.service';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import type { PredictionsService } from '../predictions/predictions.service';
import type { InvalidName, InvalidNames } from './invalid-names';

const BATCH = 16384;
/** Invalid names copied into the job's result; all of them are in job_invalid_names. */
const INVALID_EXAMPLES = 20;

/** A batch of names with the line each came from. */
interface Batch {
  names: string[];
  lines: number[];
}

/** The names of `results` that could not be classified, with their lines. */
export function invalidOf(batch: Batch, results: readonly ClassifyResult[]): InvalidName[] {
  const invalid: InvalidName[] = [];
  results.forEach((r, i) => {
    if (!r.ok) invalid.push({ line: batch.lines[i]!, name: batch.names[i]!, reason: r.error });
  });
  return invalid;
}

/**
 * A bulk-classification job: classifies a snapshot or a list in batches, writing predictions
 * keyed by (job, domain): a retry after a crash skips what is already written and fills in the
 * rest. Each name that cannot be classified is recorded with its line and why. A cancelled or
 * finally failed job has its partial predictions and invalid names removed.
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
      const started = Date.now();
      // A pipeline that keeps the inference threads busy: while batch n + 1 is being
      // classified, batch n's results are written and batch n + 2 is read from PostgreSQL.
      const finish = async (batch: Batch, classified: Promise<ClassifyResult[]>) => {
        const results = await classified;
        await writing;
        writing = Promise.all([
          this.predictions.write(ctx.jobId, request.modelId, results),
          this.invalidNames.record(ctx.jobId, invalidOf(batch, results)),
        ]).then(() => undefined);
        // Awaited on the next turn; handled now so a failed write is not an unhandled rejection meanwhile.
        writing.catch(() => undefined);
        processed += batch.names.length;
        const rate = processed / Math.max((Date.now() - started) / 1000, 1e-3);
        await ctx.report({
          stage: 'classifying',
          processed,
          total,
          domainsPerSec: Math.round(rate),
          etaSeconds: Math.round((total - processed) / rate),
        });
      };
      let previous: { batch: Batch; classified: Promise<ClassifyResult[]> } | null = null;
      for await (const batch of prefetchOne(this.batches(request))) {
        if (ctx.signal.aborted) throw new JobCancelledError();
        const current = { batch, classified: classify(batch.names) };
        current.classified.catch(() => undefined);
        if (previous) await finish(previous.batch, previous.classified);
        previous = current;
      }
      if (previous) await finish(previous.batch, previous.classified);
      await writing;
      return { result: { ...(await this.summary(ctx.jobId)), seconds: (Date.now() - started) / 1000 } };
    } finally {
      await writing.catch(() => undefined);
      await pool?.close();
      model?.dispose();
    }
  }

  async cleanUp(jobId: string): Promise<void> {
    await Promise.all([this.predictions.deleteForJob(jobId), this.invalidNames.deleteForJob(jobId)]);
  }

  /** Counts from what is stored (a retried job counts each name once). */
  private async summary(jobId: string): Promise<Omit<JobResult<'CLASSIFICATION'>, 'seconds'>> {
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
    for await (const page of this.snapshotDomains.pages([request.snapshotId], BATCH))
      yield { names: page.map((d) => d.domain), lines: page.map((d) => d.line) };
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
