// Time of one training step of a preset's network (forward, gradients of every variable, the LSTM
// embedding's per-occurrence squares) on real batches of 128 names: the network's share of training,
// without the optimizer or data handling around it.
//   node bench/native/train-step.mjs [--preset endgame-2016] [--batches 40] [--reps 3] [--backend tfjs-node] [--ml packages/ml/dist]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
// --ml <dist folder>: another build of packages/ml (e.g. main's, to compare with)
const dist = path.resolve(arg('ml', path.join(root, 'packages/ml/dist')));
const ml = await import(path.join(dist, 'index.js'));
// not part of the package's API: the step itself, as train.ts and the training threads call it
const { stepGradients } = await import(path.join(dist, 'train-step.js'));
const { createNetwork, resolveNetConfig } = await import(path.join(dist, 'network.js'));
const PRESET = arg('preset', 'endgame-2016');
const BATCHES = Number(arg('batches', 40));
const REPS = Number(arg('reps', 3));
await ml.initBackend({ backend: arg('backend', 'tfjs-node') });
const rows = readFileSync(path.join(root, 'bench/.cache/ml-split-registered-domain.tsv'), 'utf8')
  .split('\n')
  .map((l) => l.split('\t'))
  .filter((r) => r[0] === 'train')
  .slice(0, BATCHES * 128);
const tok = ml.CharTokenizer.fit(rows.map((r) => r[2]));
const labels = [...new Set(rows.map((r) => r[1]))].sort();
const net = createNetwork(resolveNetConfig(tok.vocabSize, labels.length, ml.PRESETS[PRESET].options.architecture), 23);
const spec = { kind: 'cross-entropy', numClasses: labels.length, logPrior: null, gamma: 0, outlierTarget: null };
const seqs = rows.map((r) => tok.encode(r[2]));
const ys = Int32Array.from(rows, (r) => labels.indexOf(r[1]));
// the training loop's own batches: sortish buckets, each padded to its longest name
const batches = ml.epochBatches(
  seqs.map((q) => q.length),
  128,
  75,
  'bucket',
  23,
);
const times = [];
const cpu = [];
let checksum = 0;
for (let rep = 0; rep < REPS; rep++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (const [b, batch] of batches.entries()) {
    const g = stepGradients(net, spec, {
      seqs: batch.map((i) => seqs[i]),
      labels: Int32Array.from(batch, (i) => ys[i]),
      sampleWeights: null,
      dropoutSeed: b,
    });
    checksum += g.loss;
    for (const t of g.grads) t.dispose();
    g.squares?.dispose();
  }
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e6);
}
const median = [...times].sort((a, b) => a - b)[Math.floor(REPS / 2)];
const medianCpu = [...cpu].sort((a, b) => a - b)[Math.floor(REPS / 2)];
console.log(
  `${PRESET} training step: ${((median / BATCHES) * 1000).toFixed(1)} ms per batch of 128, ${((BATCHES * 128) / median).toFixed(0)} samples/s (median of ${REPS}: ${times.map((t) => t.toFixed(2)).join(' / ')} s), ${((BATCHES * 128) / medianCpu).toFixed(0)} samples per CPU-second; mean loss ${(checksum / (REPS * BATCHES)).toFixed(5)}`,
);
