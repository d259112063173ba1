/**
 * Inference on several cores: worker_threads, each with its own backend and a copy of the model
 * (the WASM backend is single-threaded under Node). Needs the compiled package (dist/worker.js).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { activeBackend, type BackendChoice } from './backend';
import { toModelInput } from './input-form';
import { modelToBuffer } from './persistence';
import { DgaModel, type ClassifyOptions, type ClassifyResult, type Scores } from './predictor';

export interface PoolOptions {
  /** Worker threads (default 2). */
  workers?: number;
  /** Backend inside the workers (default: the active backend's choice, else auto). */
  backend?: BackendChoice;
  /** Instead of `backend`: the first of these that loads inside the workers (e.g. BACKEND_ORDER). */
  order?: readonly BackendChoice[];
  /** Sequences per request sent to a worker (default 4096). */
  chunkSize?: number;
}

function workerPath(): string {
  for (const p of [path.join(__dirname, 'worker.js'), path.join(__dirname, '..', 'dist', 'worker.js')]) if (existsSync(p)) return p;
  throw new Error('@dgascope/ml: dist/worker.js not found; build the package (npm run build -w @dgascope/ml) to use worker threads');
}

type Pending = { resolve: (s: Scores) => void; reject: (e: Error) => void };

export class InferencePool {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    readonly model: DgaModel,
    private readonly workers: Worker[],
    private readonly chunkSize: number,
    /** The backend each worker runs on. */
    readonly backends: BackendChoice[],
  ) {
    for (const w of workers) {
      w.on('message', (m: { id: number; probs?: Float32Array; novelty?: Float32Array | null; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.probs) p.resolve({ probs: m.probs, novelty: m.novelty ?? null });
        else p.reject(new Error(`inference worker: ${m.error}`));
      });
      w.on('error', (e) => this.failAll(e));
    }
  }

  /** Start the workers; resolves when every worker has loaded the model. */
  static async create(model: DgaModel, options: PoolOptions = {}): Promise<InferencePool> {
    const n = options.workers ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`workers must be a positive integer, got ${n}`);
    const buf = modelToBuffer(model);
    const backend = options.backend ?? (options.order ? undefined : activeBackend()?.choice);
    const file = workerPath();
    const started = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<{ worker: Worker; backend: BackendChoice }>((resolve, reject) => {
            const w = new Worker(file, { workerData: { model: buf, backend, order: options.order } });
            const onMsg = (m: { ready?: boolean; backend?: BackendChoice; fatal?: string }): void => {
              if (m.ready) {
                w.off('message', onMsg);
                resolve({ worker: w, backend: m.backend! });
              } else if (m.fatal) {
                void w.terminate();
                reject(new Error(`inference worker failed to start: ${m.fatal}`));
              }
            };
            w.on('message', onMsg);
            w.once('error', reject);
          }),
      ),
    );
    return new InferencePool(
      model,
      started.map((s) => s.worker),
      options.chunkSize ?? 4096,
      started.map((s) => s.backend),
    );
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private request(worker: Worker, seqs: Int32Array[], batchSize: number | undefined): Promise<Scores> {
    const ends = new Int32Array(seqs.length);
    let total = 0;
    seqs.forEach((s, i) => {
      total += s.length;
      ends[i] = total;
    });
    const ids = new Int32Array(total);
    let o = 0;
    for (const s of seqs) {
      ids.set(s, o);
      o += s.length;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ids, ends, batchSize }, [ids.buffer, ends.buffer]);
    });
  }

  /** Same result as model.predictProba, computed on the workers. */
  async predictProba(inputs: readonly string[], batchSize?: number): Promise<Float32Array> {
    return (await this.score(inputs, batchSize)).probs;
  }

  /** Same result as model.scoreEncoded on the encoded inputs, computed on the workers. */
  async score(inputs: readonly string[], batchSize?: number): Promise<Scores> {
    if (this.closed) throw new Error('InferencePool is closed');
    const C = this.model.labels.length,
      maxLen = this.model.config.maxLen;
    const seqs = inputs.map((s) => this.model.tokenizer.encode(s));
    // Requests of at most chunkSize names, dealt round-robin; request r takes every R-th name of
    // the length-sorted order from the r-th on, so every request is length-sorted and holds the
    // same mix of lengths: the workers finish a batch together (consecutive slices of the sorted
    // order gave one worker the short names and the other the long ones, which then waited).
    const order = Array.from({ length: seqs.length }, (_, i) => i).sort(
      (a, b) => Math.min((seqs[a] as Int32Array).length, maxLen) - Math.min((seqs[b] as Int32Array).length, maxLen),
    );
    const W = this.workers.length;
    const requests = Math.ceil(Math.ceil(order.length / this.chunkSize) / W) * W;
    const probs = new Float32Array(seqs.length * C);
    let novelty: Float32Array | null = null;
    const jobs: Promise<void>[] = [];
    for (let k = 0; k < requests && k < order.length; k++) {
      const idx: number[] = [];
      for (let j = k; j < order.length; j += requests) idx.push(order[j] as number);
      const w = this.workers[k % W] as Worker;
      jobs.push(
        this.request(
          w,
          idx.map((i) => seqs[i] as Int32Array),
          batchSize,
        ).then((part) => {
          idx.forEach((i, r) => probs.set(part.probs.subarray(r * C, (r + 1) * C), i * C));
          if (part.novelty) {
            novelty ??= new Float32Array(seqs.length);
            const nov = novelty;
            idx.forEach((i, r) => (nov[i] = part.novelty?.[r] as number));
          }
        }),
      );
    }
    await Promise.all(jobs);
    return { probs, novelty };
  }

  /** Same result as model.classify, computed on the workers. */
  async classify(domains: readonly string[], options: ClassifyOptions = {}): Promise<ClassifyResult[]> {
    const form = this.model.meta.inputForm;
    const prepared = domains.map((d) => (typeof d === 'string' ? toModelInput(d, form) : ({ ok: false, reason: 'not a string' } as const)));
    const validIdx: number[] = [];
    prepared.forEach((p, i) => p.ok && validIdx.push(i));
    const scores = await this.score(
      validIdx.map((i) => (prepared[i] as { input: string }).input),
      options.batchSize,
    );
    return this.model.resultsFromScores(domains, prepared, validIdx, scores, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('InferencePool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
