/**
 * worker_thread entry of data-parallel training (compiled to dist/train-worker.js; started by
 * train-threads.ts): holds a replica of the network and of the optimizer on its own backend,
 * computes the gradients of its part of each batch, and applies the summed gradients it is sent,
 * so every replica takes the same steps.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendChoice } from './backend';
import { networkFromWeights, type NetConfig } from './network';
import { applyStep, stepGradients, trainingOptimizer, type LossSpec } from './train-step';

export interface TrainWorkerData {
  backend: BackendChoice;
  config: NetConfig;
  weights: Record<string, Float32Array>;
  spec: LossSpec;
  learningRate: number;
}

/** Requests, answered in order. */
export type TrainWorkerRequest =
  | {
      type: 'gradients';
      id: number;
      /** The part's encoded names, concatenated, and their end offsets. */
      ids: Int32Array;
      ends: Int32Array;
      labels: Int32Array;
      sampleWeights: Float32Array | null;
      padTo?: number;
      dropoutSeed: number;
      part: { offset: number; total: number };
    }
  | { type: 'apply'; id: number; grads: Float32Array[]; squares: Float32Array | null; squaresIndex: number; learningRate: number }
  | { type: 'weights'; id: number };

export type TrainWorkerReply =
  | { id: number; loss: number; grads: Float32Array[]; squares: Float32Array | null; squaresIndex: number }
  | { id: number; weights: Record<string, Float32Array> }
  | { id: number; applied: true }
  | { id: number; error: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('train-worker.ts must run as a worker_thread');
  const data = workerData as TrainWorkerData;
  await initBackend({ backend: data.backend });
  const net = networkFromWeights(data.config, data.weights);
  const optimizer = trainingOptimizer(data.learningRate);
  const vars = net.variables;
  port.on('message', (req: TrainWorkerRequest) => {
    try {
      if (req.type === 'gradients') {
        const seqs: Int32Array[] = [];
        let start = 0;
        for (const end of req.ends) {
          seqs.push(req.ids.subarray(start, end));
          start = end;
        }
        const g = stepGradients(net, data.spec, {
          seqs,
          labels: req.labels,
          sampleWeights: req.sampleWeights,
          ...(req.padTo !== undefined ? { padTo: req.padTo } : {}),
          dropoutSeed: req.dropoutSeed,
          part: req.part,
        });
        const grads = g.grads.map((t) => t.dataSync() as Float32Array);
        const squares = g.squares ? (g.squares.dataSync() as Float32Array) : null;
        tf.dispose([...g.grads, ...(g.squares ? [g.squares] : [])]);
        const reply: TrainWorkerReply = { id: req.id, loss: g.loss, grads, squares, squaresIndex: g.squaresIndex };
        port.postMessage(
          reply,
          [...grads, ...(squares ? [squares] : [])].map((a) => a.buffer as ArrayBuffer),
        );
      } else if (req.type === 'apply') {
        tf.tidy(() => {
          const squares = req.squares ? tf.tensor(req.squares, (vars[req.squaresIndex] as tf.Variable).shape) : null;
          const grads = vars.map((v, i) => tf.tensor(req.grads[i] as Float32Array, v.shape));
          applyStep(optimizer, vars, grads, squares, req.squaresIndex, req.learningRate);
        });
        port.postMessage({ id: req.id, applied: true } satisfies TrainWorkerReply);
      } else {
        port.postMessage({ id: req.id, weights: net.getWeights() } satisfies TrainWorkerReply);
      }
    } catch (e) {
      port.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) } satisfies TrainWorkerReply);
    }
  });
  port.postMessage({ ready: true });
}

main().catch((e) => {
  parentPort?.postMessage({ fatal: e instanceof Error ? e.message : String(e) });
});
