// One benchmark case in this process; run.mjs runs each case in a fresh process.
// node bench/native/bench.mjs <backend: tfjs-node|wasm|cpu> <model: layers|dgascope> [seqLen=24] [trainIters=5] [inferIters=3]
// layers:   the Endgame model in tfjs-layers (Embedding(128) → LSTM(128) → Dropout(0.5) → Dense(40) softmax,
//           RMSprop 1e-3, batch 128), fixed sequence length; trainOnBatch / predict(batch 1024).
// dgascope: @dgascope/ml's own LstmNet + train() (1 epoch over trainIters*512 synthetic domains of length 8..25,
//           default 'bucket' padding) and predictProba on 10240 domains.
import * as tf from '@tensorflow/tfjs';
import * as ml from '@dgascope/ml';

const [backend = 'tfjs-node', model = 'layers', seqLenS = '24', trainItersS = '5', inferItersS = '3'] = process.argv.slice(2);
const seqLen = Number(seqLenS),
  trainIters = Number(trainItersS),
  inferIters = Number(inferItersS);
const info = await ml.initBackend({ backend }); // forced: throws if it cannot load (no silent fallback)
if (tf.getBackend() !== info.backend)
  throw new Error(`two copies of @tensorflow/tfjs: @dgascope/ml selected ${info.backend}, this script sees ${tf.getBackend()}`);
const VOCAB = 40,
  NCLS = 40;
let rngState = 12345;
const rng = () => (rngState = (rngState * 1103515245 + 12345) >>> 0) / 2 ** 32;

function layersModel() {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: 128, inputLength: seqLen, inputShape: [seqLen] }));
  m.add(tf.layers.lstm({ units: 128 }));
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: NCLS, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.rmsprop(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}
// random domains (lengths 8..25), pre-padded with 0 to seqLen
function batch(n) {
  const x = new Int32Array(n * seqLen),
    y = new Float32Array(n * NCLS);
  for (let i = 0; i < n; i++) {
    const L = Math.min(seqLen, 8 + Math.floor(rng() * 18));
    for (let j = 0; j < L; j++) x[i * seqLen + seqLen - L + j] = 1 + Math.floor(rng() * (VOCAB - 1));
    y[i * NCLS + Math.floor(rng() * NCLS)] = 1;
  }
  return { x: tf.tensor2d(x, [n, seqLen], 'int32'), y: tf.tensor2d(y, [n, NCLS]) };
}

const cpuMs = (c0) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};
const result = { backend: info.backend, choice: info.choice, model, threads: process.env.TF_NUM_INTRAOP_THREADS ?? 'default' };
if (model === 'layers') {
  Object.assign(result, { seqLen });
  const m = layersModel();
  const { x, y } = batch(128);
  let t0 = performance.now();
  await m.trainOnBatch(x, y); // warm-up
  let c0 = process.cpuUsage();
  result.warmupMs = Math.round(performance.now() - t0);
  t0 = performance.now();
  let loss;
  for (let i = 0; i < trainIters; i++) loss = await m.trainOnBatch(x, y);
  const trainMs = (performance.now() - t0) / trainIters;
  const trainCpuMs = cpuMs(c0) / trainIters;
  const xb = batch(1024).x;
  let p = m.predict(xb, { batchSize: 1024 });
  await p.data();
  p.dispose();
  t0 = performance.now();
  c0 = process.cpuUsage();
  for (let i = 0; i < inferIters; i++) {
    p = m.predict(xb, { batchSize: 1024 });
    await p.data();
    p.dispose();
  }
  const inferMs = (performance.now() - t0) / inferIters;
  const inferCpuMs = cpuMs(c0) / inferIters;
  Object.assign(result, {
    trainMsPerBatch: Math.round(trainMs),
    trainSamplesPerSec: Math.round((128 * 1000) / trainMs),
    inferMsPer1024: Math.round(inferMs),
    inferDomainsPerSec: Math.round((1024 * 1000) / inferMs),
    loss: loss[0],
    trainSamplesPerCpuSec: Math.round((128 * 1000) / trainCpuMs),
    inferDomainsPerCpuSec: Math.round((1024 * 1000) / inferCpuMs),
  });
} else {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const dom = () => {
    const L = 8 + Math.floor(rng() * 18);
    let s = '';
    for (let i = 0; i < L; i++) s += letters[Math.floor(rng() * letters.length)];
    return s;
  };
  const samples = (n) =>
    Array.from({ length: n }, (_, i) => {
      const d = dom();
      return { domain: d + '.com', input: d, label: 'fam' + (i % NCLS) };
    });
  const n = trainIters * 128 * 4;
  const train = samples(n);
  const t0 = performance.now();
  let c0 = process.cpuUsage();
  const r = await ml.train({ train }, { epochs: 1, earlyStopping: false, decision: false }); // default 'bucket' padding, as the product trains
  const trainS = (performance.now() - t0) / 1000,
    trainCpuS = cpuMs(c0) / 1000;
  const inputs = samples(10240).map((s) => s.input);
  r.model.predictProba(inputs.slice(0, 1024));
  const t1 = performance.now();
  c0 = process.cpuUsage();
  for (let i = 0; i < inferIters; i++) r.model.predictProba(inputs);
  const inferS = (performance.now() - t1) / 1000 / inferIters,
    inferCpuS = cpuMs(c0) / 1000 / inferIters;
  Object.assign(result, {
    trainSamples: n,
    trainSamplesPerSec: Math.round(n / trainS),
    inferDomainsPerSec: Math.round(10240 / inferS),
    trainSamplesPerCpuSec: Math.round(n / trainCpuS),
    inferDomainsPerCpuSec: Math.round(10240 / inferCpuS),
  });
}
result.rssMB = Math.round(process.memoryUsage().rss / 1e6);
console.log(JSON.stringify(result));
