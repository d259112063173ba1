import { InferencePool, type ClassifyResult, type DgaModel } from '@dgascope/ml';
import { JobCancelledError } from '../../jobs/job-runner';
import type { ModelsService } from '../models/models.service';
import type { InvalidName } from './invalid-names';

/** Rows read, classified and written per batch. */
export const BATCH = 16384;

/** A loaded model, with its inference threads when there are any. */
export interface OpenClassifier {
  modelId: number;
  classify(names: string[]): Promise<ClassifyResult[]>;
  close(): Promise<void>;
}

/** Loads a model and starts its inference threads (worker_threads with their own backend; 0 = this thread). */
export async function openClassifier(models: ModelsService, modelId: number, inferenceThreads: number): Promise<OpenClassifier> {
  const model: DgaModel = await models.load(modelId);
  let pool: InferencePool | null = null;
  try {
    // Each batch is split across the threads, so that all of them work on every batch.
    if (inferenceThreads > 0)
      pool = await InferencePool.create(model, { workers: inferenceThreads, chunkSize: Math.ceil(BATCH / inferenceThreads) });
  } catch (err) {
    model.dispose();
    throw err;
  }
  const threads = pool;
  return {
    modelId,
    classify: (names) => (threads ? threads.classify(names) : Promise.resolve(model.classify(names))),
    async close() {
      await threads?.close();
      model.dispose();
    },
  };
}

/** A batch of names with the line each came from. */
export interface Batch {
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
 * Batches handed to the classifier before the oldest one's results are written: the inference
 * threads queue the next batch while the main thread writes (and PostgreSQL stores) an earlier
 * one, so they do not wait for it (with one batch ahead they sat idle for a third of a job).
 */
const BATCHES_AHEAD = 2;

/**
 * Classifies batches of names and writes each batch's results, as a pipeline that keeps the
 * inference threads busy: while batches n + 1 and n + 2 are classified, batch n's results are
 * written and batch n + 3 is read. Every write has ended when this returns or throws (a write that
 * committed after a clean-up would leave partial output behind). Returns the names processed.
 */
export async function classifyAndStore(options: {
  batches: AsyncIterable<Batch>;
  classify: (names: string[]) => Promise<ClassifyResult[]>;
  write: (batch: Batch, results: ClassifyResult[]) => Promise<void>;
  signal: AbortSignal;
  onBatch?: (processed: number) => Promise<void>;
}): Promise<number> {
  let writing: Promise<void> = Promise.resolve();
  let processed = 0;
  const finish = async (batch: Batch, classified: Promise<ClassifyResult[]>) => {
    const results = await classified;
    await writing;
    writing = options.write(batch, results);
    // Awaited on the next turn; handled now so a failed write is not an unhandled rejection meanwhile.
    writing.catch(() => undefined);
    processed += batch.names.length;
    await options.onBatch?.(processed);
  };
  try {
    const ahead: { batch: Batch; classified: Promise<ClassifyResult[]> }[] = [];
    for await (const batch of prefetchOne(options.batches)) {
      if (options.signal.aborted) throw new JobCancelledError();
      const current = { batch, classified: options.classify(batch.names) };
      current.classified.catch(() => undefined);
      ahead.push(current);
      if (ahead.length > BATCHES_AHEAD) {
        const oldest = ahead.shift()!;
        await finish(oldest.batch, oldest.classified);
      }
    }
    for (const left of ahead.splice(0)) await finish(left.batch, left.classified);
    await writing;
    return processed;
  } finally {
    await writing.catch(() => undefined);
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
