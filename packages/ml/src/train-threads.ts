/**
 * Data-parallel training on worker threads: every worker holds a replica of the network and of the
 * optimizer; each batch is cut into one contiguous part per worker, each worker computes the
 * gradient of its part (its loss scaled by its share of the batch, the whole batch's dropout rows),
 * this thread adds the parts up — the whole batch's gradient, and its per-occurrence embedding
 * squares — and every worker applies that sum with its optimizer. The replicas therefore take the
 * same steps as one network trained on whole batches (up to float rounding: the sum of two halves
 * is not summed in the same order), with the same batch size and optimizer.
 *
 * Why: a training step is a chain of small ops (the LSTM's per-character recurrence) that
 * TensorFlow's own thread pool cannot spread over cores; two threads each running half the batch
 * use two cores. Needs the compiled package (dist/train-worker.js).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from './backend';
import type { NetConfig } from './network';
import type { LossSpec, StepBatch } from './train-step';
import type { TrainWorkerData, TrainWorkerReply, TrainWorkerRequest } from './train-worker';

/** The compiled worker entry, or null where this build has none (sources run by a test runner). */
export function trainWorkerPath(): string | null {
  for (const p of [path.join(__dirname, 'train-worker.js'), path.join(__dirname, '..', 'dist', 'train-worker.js')])
    if (existsSync(p)) return p;
  return null;
}

/**
 * Threads when the caller does not say: 1. Measured on this project's machine (2 vCPUs shared with
 * other work; bench:backends, docs/performance.md "Training on both cores"), two threads trained
 * both presets slower than one: each thread dispatches every op of its half-batch (the LSTM's
 * per-character steps cost the same per op whatever the rows), so two threads spend 35–55 % more
 * CPU per sample, which pays only where two cores are free for the training alone.
 */
export const DEFAULT_TRAINING_THREADS = 1;

type Pending = { resolve: (r: TrainWorkerReply) => void; reject: (e: Error) => void };

let live = 0;
/** Training workers started and not yet exited, in this process (a leak shows here). */
export function liveTrainingWorkers(): number {
  return live;
}

export class TrainingThreads {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** The replies to the last 'apply' requests, awaited with the next step. */
  private applied: Promise<unknown>[] = [];
  private failure: Error | null = null;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: TrainWorkerReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if ('error' in m) p.reject(new Error(`training worker: ${m.error}`));
        else p.resolve(m);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => this.fail(new Error(`training worker exited (code ${code})`)));
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Start `n` workers with these initial weights; resolves when all are ready. */
  static async start(
    n: number,
    file: string,
    init: { backend: BackendChoice; config: NetConfig; weights: Record<string, Float32Array>; spec: LossSpec; learningRate: number },
  ): Promise<TrainingThreads> {
    const workerData: TrainWorkerData = init;
    const started = await Promise.allSettled(
      Array.from(
        { length: n },
        () =>
          new Promise<Worker>((resolve, reject) => {
            const w = new Worker(file, { workerData });
            live++;
            w.once('exit', () => live--);
            const onMessage = (m: { ready?: boolean; fatal?: string }): void => {
              w.off('message', onMessage);
              if (m.ready) resolve(w);
              else {
                void w.terminate();
                reject(new Error(`training worker failed to start: ${m.fatal}`));
              }
            };
            w.on('message', onMessage);
            w.once('error', reject);
          }),
      ),
    );
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason;
    }
    return new TrainingThreads(workers);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private request(worker: Worker, req: TrainWorkerRequest, transfer: ArrayBuffer[] = []): Promise<TrainWorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      worker.postMessage(req, transfer);
    });
  }

  /** One optimizer step on `batch` (whole): returns its loss. */
  async step(batch: StepBatch, learningRate: number): Promise<number> {
    const B = batch.seqs.length;
    const W = this.workers.length;
    const asked: Promise<TrainWorkerReply>[] = [];
    for (let k = 0; k < W; k++) {
      const from = Math.floor((k * B) / W),
        to = Math.floor(((k + 1) * B) / W);
      if (to === from) continue;
      const seqs = batch.seqs.slice(from, to);
      const ends = new Int32Array(seqs.length);
      let total = 0;
      seqs.forEach((s, i) => (ends[i] = total += s.length));
      const ids = new Int32Array(total);
      seqs.forEach((s, i) => ids.set(s, (ends[i] as number) - s.length));
      const labels = batch.labels.slice(from, to);
      const sampleWeights = batch.sampleWeights ? batch.sampleWeights.slice(from, to) : null;
      asked.push(
        this.request(
          this.workers[k] as Worker,
          {
            type: 'gradients',
            id: this.nextId++,
            ids,
            ends,
            labels,
            sampleWeights,
            ...(batch.padTo !== undefined ? { padTo: batch.padTo } : {}),
            dropoutSeed: batch.dropoutSeed,
            part: { offset: from, total: B },
          },
          [ids.buffer, ends.buffer, labels.buffer, ...(sampleWeights ? [sampleWeights.buffer] : [])] as ArrayBuffer[],
        ),
      );
    }
    await Promise.all(this.applied);
    const parts = (await Promise.all(asked)) as Extract<TrainWorkerReply, { loss: number }>[];
    // the whole batch: the parts' gradients (each already scaled by its share) added in worker order
    const first = parts[0] as (typeof parts)[number];
    const grads = first.grads;
    let squares = first.squares;
    let loss = first.loss;
    for (const p of parts.slice(1)) {
      loss += p.loss;
      p.grads.forEach((g, i) => {
        const sum = grads[i] as Float32Array;
        for (let j = 0; j < g.length; j++) sum[j]! += g[j] as number;
      });
      if (p.squares && squares) for (let j = 0; j < p.squares.length; j++) squares[j]! += p.squares[j] as number;
      else squares ??= p.squares;
    }
    this.applied = this.workers.map((w) =>
      this.request(w, { type: 'apply', id: this.nextId++, grads, squares, squaresIndex: first.squaresIndex, learningRate }),
    );
    // awaited with the next step; marked handled now, so a close() in between raises nothing
    for (const a of this.applied) a.catch(() => undefined);
    return loss;
  }

  /** The replicas' current weights (all equal: the first worker's). */
  async weights(): Promise<Record<string, Float32Array>> {
    await Promise.all(this.applied);
    const r = await this.request(this.workers[0] as Worker, { type: 'weights', id: this.nextId++ });
    return (r as Extract<TrainWorkerReply, { weights: unknown }>).weights;
  }

  /** Stops every worker (also mid-step: pending requests are rejected). */
  async close(): Promise<void> {
    this.fail(new Error('training threads closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
