// Runs every case of bench.mjs in fresh processes, backends interleaved, and prints medians.
// node bench/native/run.mjs [--reps 3] [--out results.json]
// Native is run twice: TensorFlow's default thread pools (all cores) and TF_NUM_INTRAOP_THREADS=1 (one core,
// like WASM, which is single-threaded under Node). On a shared machine, also compare the *PerCpuSec columns.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
const reps = Number(opt('--reps', '3')),
  out = opt('--out', null);
const cases = [
  ['layers', '24', '5', '3'],
  ['layers', '75', '5', '3'],
  ['dgascope', '0', '5', '3'],
];
const backends = [
  { name: 'native', backend: 'tfjs-node', env: {} },
  { name: 'native-1thread', backend: 'tfjs-node', env: { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' } },
  { name: 'wasm', backend: 'wasm', env: {} },
];
const rows = [];
for (const [model, seq, ti, ii] of cases) {
  for (let r = 0; r < reps; r++) {
    for (const b of backends) {
      const p = spawnSync(process.execPath, [path.join(here, 'bench.mjs'), b.backend, model, seq, ti, ii], {
        encoding: 'utf8',
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...b.env },
      });
      const line = p.stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) {
        console.error(`${b.name} ${model} ${seq}: failed\n${p.stderr.slice(-2000)}`);
        continue;
      }
      const res = { name: b.name, ...JSON.parse(line), load1: os.loadavg()[0] };
      rows.push(res);
      console.error(JSON.stringify(res));
    }
  }
}
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const keys = ['trainSamplesPerSec', 'trainSamplesPerCpuSec', 'inferDomainsPerSec', 'inferDomainsPerCpuSec'];
const summary = [];
for (const [model, seq] of cases) {
  const label = model === 'layers' ? `layers len ${seq}` : 'dgascope LstmNet (len 8..25, bucket)';
  const by = {};
  for (const b of backends) {
    const rs = rows.filter((x) => x.name === b.name && x.model === model && (model !== 'layers' || x.seqLen === Number(seq)));
    by[b.name] = Object.fromEntries(keys.map((k) => [k, med(rs.map((x) => x[k]))]));
  }
  for (const b of backends)
    summary.push({
      case: label,
      backend: b.name,
      ...by[b.name],
      trainVsWasm: +(by[b.name].trainSamplesPerSec / by.wasm.trainSamplesPerSec).toFixed(2),
      inferVsWasm: +(by[b.name].inferDomainsPerSec / by.wasm.inferDomainsPerSec).toFixed(2),
    });
}
console.log(
  '| case | backend | train samples/s | train samples/CPU-s | infer domains/s | infer domains/CPU-s | train vs WASM | infer vs WASM |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const s of summary)
  console.log(
    `| ${s.case} | ${s.backend} | ${s.trainSamplesPerSec} | ${s.trainSamplesPerCpuSec} | ${s.inferDomainsPerSec} | ${s.inferDomainsPerCpuSec} | ${s.trainVsWasm}x | ${s.inferVsWasm}x |`,
  );
const meta = {
  date: new Date().toISOString(),
  node: process.versions.node,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  reps,
  loadavgEnd: os.loadavg(),
};
if (out) writeFileSync(out, JSON.stringify({ meta, summary, rows }, null, 1) + '\n');
