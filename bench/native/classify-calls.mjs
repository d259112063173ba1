// CPU time and wall time per model.classify() call of 1, 16 and 2,048 names (what the API's small
// requests and the bulk threads do), for one build of @dgascope/ml on one backend:
//   node bench/native/classify-calls.mjs [--ml <dist/index.js>] [--backend wasm] [--preset resnet-cnn]
// The model is bench/native/inference.mjs's cached one (infer-model-files.mjs: run that first);
// the names are the benchmark split's test names. Alternate two builds (--ml) to compare them in one window.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferModelFiles } from './infer-model-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const ml = opt('ml') ? await import(path.resolve(opt('ml'))) : await import('@dgascope/ml');
const backend = opt('backend', 'wasm');
const preset = opt('preset', 'resnet-cnn');
await ml.initBackend({ backend });
const model = ml.modelFromBuffer(readFileSync(inferModelFiles(ml, preset).modelFile));
const names = readFileSync(path.join(root, 'bench/.cache/ml-split-registered-domain.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('test'))
  .slice(0, 4096)
  .map((l) => `${l.split('\t')[2]}.com`);
const out = { ml: opt('ml') ?? '@dgascope/ml', backend, preset };
for (const n of [1, 16, 2048]) {
  const reps = n === 2048 ? 3 : 200;
  for (let w = 0; w < 5; w++) model.classify(names.slice(0, n));
  const c0 = process.cpuUsage();
  const t = performance.now();
  for (let r = 0; r < reps; r++) model.classify(names.slice((r * n) % 2048, ((r * n) % 2048) + n));
  const c = process.cpuUsage(c0);
  out[`names${n}`] = { ms: +((performance.now() - t) / reps).toFixed(2), cpuMs: +((c.user + c.system) / 1000 / reps).toFixed(2) };
}
console.log(JSON.stringify(out));
model.dispose();
