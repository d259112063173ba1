// Time of one training step of a preset's network (forward, gradients of every variable, the LSTM
// embedding's per-occurrence squares) on real batches of 128 names: the network's share of training,
// without the optimizer or data handling around it.
//   node bench/native/train-step.mjs [--preset endgame-2016] [--batches 40] [--reps 3] [--backend tfjs-node] [--ml <dist/index.js>]
// Reads the ml benchmark's split (bench/.cache/ml-split-registered-domain.tsv: node bench/ml/export-split.mjs).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, median, repetitions } from '../record.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
// --ml <dist/index.js>: another build of @dgascope/ml (e.g. main's, compiled inside this checkout so
// its dependencies resolve), as inference.mjs and bench:backends' --baseline-ml take it
const dist = path.dirname(path.resolve(arg('ml', path.join(root, 'packages/ml/dist/index.js'))));
const ml = await import(path.join(dist, 'index.js'));
// not part of the package's API: the step itself, as train.ts and the training threads call it
const { stepGradients } = await import(path.join(dist, 'train-step.js'));
const { createNetwork, resolveNetConfig } = await import(path.join(dist, 'network.js'));
const PRESET = arg('preset', 'endgame-2016');
const BATCHES = Number(arg('batches', 40));
const REPS = repetitions();
const splitFile = path.join(root, 'bench/.cache/ml-split-registered-domain.tsv');
if (!existsSync(splitFile)) {
  console.error(`${path.relative(root, splitFile)} missing: write it with node bench/ml/export-split.mjs`);
  process.exit(1);
}
await ml.initBackend({ backend: arg('backend', 'tfjs-node') });
const rows = readFileSync(splitFile, 'utf8')
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
const loadBefore = loadAverage();
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
const wall = median(times);
const cpuSeconds = median(cpu);
console.log(
  `${PRESET} training step: ${((wall / BATCHES) * 1000).toFixed(1)} ms per batch of 128, ${((BATCHES * 128) / wall).toFixed(0)} samples/s (median of ${REPS}: ${times.map((t) => t.toFixed(2)).join(' / ')} s), ${((BATCHES * 128) / cpuSeconds).toFixed(0)} samples per CPU-second; mean loss ${(checksum / (REPS * BATCHES)).toFixed(5)}; load average ${loadBefore} → ${loadAverage()}`,
);
