// Numeric agreement: train a small model on WASM, save it, reload it on native TensorFlow, and compare
// predictProba on the same domains (both backends in one process). Exit 1 if they disagree.
// node bench/native/agree.mjs [tolerance=1e-4]
import * as ml from '@dgascope/ml';

const tol = Number(process.argv[2] ?? 1e-4);
let s = 7;
const rng = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
const letters = 'abcdefghijklmnopqrstuvwxyz0123456789-';
const dom = () => {
  let d = '';
  const L = 6 + Math.floor(rng() * 20);
  for (let i = 0; i < L; i++) d += letters[Math.floor(rng() * 36)];
  return d;
};
const train = Array.from({ length: 1024 }, (_, i) => {
  const d = dom();
  return { domain: `${d}.com`, input: d, label: `fam${i % 8}` };
});
const inputs = Array.from({ length: 2048 }, dom);

await ml.initBackend({ backend: 'wasm' });
const { model } = await ml.train({ train }, { epochs: 1, earlyStopping: false, decision: false });
const buf = ml.modelToBuffer(model);
const a = ml.modelFromBuffer(buf).predictProba(inputs);

const info = await ml.initBackend({ backend: 'tfjs-node' }); // throws if the native backend is not installed
const b = ml.modelFromBuffer(buf).predictProba(inputs);

let maxAbs = 0,
  argmaxDiff = 0;
const k = a.length / inputs.length;
for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
const argmax = (p, i) => {
  let m = 0;
  for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + m]) m = j;
  return m;
};
for (let i = 0; i < inputs.length; i++) if (argmax(a, i) !== argmax(b, i)) argmaxDiff++;
const ok = maxAbs <= tol;
console.log(
  JSON.stringify({
    native: info.backend,
    domains: inputs.length,
    classes: k,
    maxAbsDiff: maxAbs,
    top1Disagreements: argmaxDiff,
    tolerance: tol,
    ok,
  }),
);
process.exit(ok ? 0 : 1);
