/**
 * worker_thread entry (compiled to dist/worker.js): holds its own copy of a model on its own
 * tfjs backend (WASM runs one thread per worker under Node) and answers prediction requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendChoice } from './backend';
import { modelFromBuffer } from './persistence';

interface PredictRequest {
  id: number;
  /** Concatenated encoded sequences and their end offsets. */
  ids: Int32Array;
  ends: Int32Array;
  /** Absent: the network's inferenceBatchSize. */
  batchSize?: number;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker.ts must run as a worker_thread');
  const { model: buf, backend, order } = workerData as { model: Uint8Array; backend?: BackendChoice; order?: BackendChoice[] };
  const info = await initBackend(backend ? { backend } : order ? { order } : {});
  const model = modelFromBuffer(buf);
  port.on('message', (req: PredictRequest) => {
    try {
      const seqs: Int32Array[] = [];
      let start = 0;
      for (const end of req.ends) {
        seqs.push(req.ids.subarray(start, end));
        start = end;
      }
      const { probs, novelty } = model.scoreEncoded(seqs, req.batchSize);
      const transfer = [probs.buffer as ArrayBuffer, ...(novelty ? [novelty.buffer as ArrayBuffer] : [])];
      port.postMessage({ id: req.id, probs, novelty }, transfer);
    } catch (e) {
      port.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
  port.postMessage({ ready: true, backend: info.choice });
}

main().catch((e) => {
  parentPort?.postMessage({ fatal: e instanceof Error ? e.message : String(e) });
});
