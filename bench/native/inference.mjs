// Inference throughput of one preset's model on one backend, in this process (bench:backends
// runs it in fresh processes, interleaved with its other cases):
//   node bench/native/inference.mjs --preset resnet-cnn --backend tfjs-node [--infer 20480] [--threads 2] [--ml dist/index.js]
// The model: the preset trained for 1 epoch on the first --train samples of the ml benchmark's
// split (bench/.cache/ml-split-registered-domain.tsv), verdict calibrated on its validation part,
// as the product trains; saved as bench/.cache/infer-<preset>-<hash of its architecture>.dgam on the first run and loaded by
// every later one, so runs before and after a change score the same weights. Speed does not
// depend on the weights; the verdicts do, and they are compared (below).
// Measured on the first --infer names of the test split, after a warm-up pass:
//   model alone:  model.scoreEncoded() on this thread (probabilities + the novelty score, what a
//                 bulk job computes per name; the backend may use several cores itself);
//   predictProba: probabilities only (the figure of the earlier runs);
//   pool:         InferencePool with --threads worker threads (what the bulk job runs on).
// Agreement: the scores and classify() verdicts of every name are compared with
// bench/.cache/infer-<preset>-<hash>-reference.json (written by the first run, or with --reset-reference):
// largest probability / novelty difference (novelty also relative) and the number of verdicts or families that differ.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferModelFiles } from './infer-model-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const presetName = opt('preset', 'resnet-cnn');
const backendChoice = opt('backend', 'tfjs-node');
const N = Number(opt('train', '8192'));
const M = Number(opt('infer', '20480'));
const threads = Number(opt('threads', '2'));
const cache = path.join(root, 'bench/.cache');
const splitFile = path.join(cache, 'ml-split-registered-domain.tsv');

// --ml <dist/index.js>: another build of @dgascope/ml (e.g. an earlier commit's, compiled inside
// this checkout so its dependencies resolve), to compare before and after in one window.
const ml = opt('ml') ? await import(path.resolve(opt('ml'))) : await import('@dgascope/ml');
const { modelFile, referenceFile } = inferModelFiles(ml, presetName);
const info = await ml.initBackend({ backend: backendChoice });
const parts = { train: [], validation: [], test: [] };
for (const line of readFileSync(splitFile, 'utf8').split('\n')) {
  const [part, label, input] = line.split('\t');
  if (part in parts) parts[part].push({ domain: input, input, label });
}
mkdirSync(cache, { recursive: true });
let model;
if (existsSync(modelFile)) model = ml.modelFromBuffer(readFileSync(modelFile));
else {
  const r = await ml.train(
    { train: parts.train.slice(0, N), validation: parts.validation.slice(0, 10240) },
    { ...ml.presetTrainOptions(presetName), epochs: 1, earlyStopping: false },
  );
  model = r.model;
  writeFileSync(modelFile, ml.modelToBuffer(model));
}
const inputs = parts.test.slice(0, M).map((s) => s.input);
if (inputs.length < M) throw new Error(`--infer ${M}: the test split has ${inputs.length} names`);
const encoded = inputs.map((s) => model.tokenizer.encode(s));

const timed = (fn) => {
  const t = performance.now();
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return { out, seconds: (performance.now() - t) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
};
const timedAsync = async (fn) => {
  const t = performance.now();
  const c0 = process.cpuUsage();
  const out = await fn();
  const c = process.cpuUsage(c0);
  return { out, seconds: (performance.now() - t) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
};

model.scoreEncoded(encoded.slice(0, 4096)); // warm-up (kernels, the LSTM's input table)
const alone = timed(() => model.scoreEncoded(encoded));
const probsOnly = timed(() => model.predictEncoded(encoded));
const pool = await ml.InferencePool.create(model, { workers: threads, backend: info.choice });
await pool.score(inputs.slice(0, 4096));
const pooled = await timedAsync(() => pool.score(inputs));
await pool.close();

// Agreement with the reference scores and verdicts (the same model, the code of another commit).
const verdicts = model.resultsFromScores(
  inputs,
  inputs.map((s) => ({ ok: true, normalized: s, input: s })),
  inputs.map((_, i) => i),
  alone.out,
);
const summary = verdicts.map((v) => `${v.verdict}:${v.family}`);
const maxDiff = (a, b) => {
  if (!a || !b) return a === b ? 0 : null;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
// largest |a − b| / |b| (the novelty score's scale is the method's: squared distances for
// mahalanobis); a reference score of 0 counts in the absolute difference only
const maxRelDiff = (a, b) => {
  if (!a || !b) return a === b ? 0 : null;
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && b[i] !== 0) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return d;
};
const poolDiff = { probs: maxDiff(alone.out.probs, pooled.out.probs), novelty: maxDiff(alone.out.novelty, pooled.out.novelty) };
let agreement = null;
if (!existsSync(referenceFile) || argv.includes('--reset-reference'))
  writeFileSync(
    referenceFile,
    JSON.stringify({
      commit: process.env.BENCH_COMMIT ?? null,
      probs: Buffer.from(alone.out.probs.buffer).toString('base64'),
      novelty: alone.out.novelty ? Buffer.from(alone.out.novelty.buffer).toString('base64') : null,
      verdicts: summary,
    }),
  );
else {
  const ref = JSON.parse(readFileSync(referenceFile, 'utf8'));
  const f32 = (b64) => (b64 ? new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer) : null);
  agreement = {
    probs: maxDiff(alone.out.probs, f32(ref.probs)),
    novelty: maxDiff(alone.out.novelty, f32(ref.novelty)),
    noveltyRelative: maxRelDiff(alone.out.novelty, f32(ref.novelty)),
    verdictsDiffering: summary.filter((s, i) => s !== ref.verdicts[i]).length,
  };
}

console.log(
  JSON.stringify({
    preset: presetName,
    backend: info.choice,
    arch: model.config.arch ?? 'lstm',
    names: M,
    aloneDomainsPerSec: Math.round(M / alone.seconds),
    aloneCores: +(alone.cpuSeconds / alone.seconds).toFixed(2),
    aloneDomainsPerCpuSec: Math.round(M / alone.cpuSeconds),
    probsOnlyDomainsPerSec: Math.round(M / probsOnly.seconds),
    poolThreads: threads,
    poolDomainsPerSec: Math.round(M / pooled.seconds),
    poolDomainsPerCpuSec: Math.round(M / pooled.cpuSeconds),
    poolVsAlone: poolDiff,
    agreement,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
model.dispose();
process.exit(0);
