// The benchmark data set (recipe in bench/ml/README.md). Reads ../shared/data relative to the repo root.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const dataDir = process.env.DGASCOPE_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');

const gz = (p) => gunzipSync(readFileSync(p)).toString('utf8');
const lines = (s) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** @returns {{domain: string, label: string}[]} in a fixed order: baderj, andrewaeva, benign */
export function loadBenchmarkData({ minPerFamily = 50, cap = 5000, perSynthetic = 5000 } = {}) {
  if (!existsSync(dataDir)) throw new Error(`benchmark data not found at ${dataDir} (set DGASCOPE_SHARED_DATA)`);
  const out = [];
  // 1. baderj-examples: families with >= 50 rows, first 5000 rows of each in file order
  const byFam = new Map();
  for (const l of lines(gz(path.join(dataDir, 'dga/baderj-examples.csv.gz'))).slice(1)) {
    const [family, , domain] = l.split(',');
    if (!family || !domain) continue;
    if (!byFam.has(family)) byFam.set(family, []);
    byFam.get(family).push(domain);
  }
  for (const [family, ds] of [...byFam].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (ds.length < minPerFamily) continue;
    for (const domain of ds.slice(0, cap)) out.push({ domain, label: family });
  }
  // 2. andrewaeva-synthetic: first 5000 lines of every <family>.txt.gz
  const synth = path.join(dataDir, 'dga/andrewaeva-synthetic');
  for (const f of readdirSync(synth)
    .filter((f) => f.endsWith('.txt.gz'))
    .sort()) {
    const family = f.replace(/\.txt\.gz$/, '');
    for (const domain of lines(gz(path.join(synth, f))).slice(0, perSynthetic)) out.push({ domain, label: family });
  }
  // 3. benign: as many Umbrella names (rank order, 2026-07-06) as DGA rows
  const nDga = out.length;
  for (const domain of lines(gz(path.join(dataDir, 'benign/umbrella-top100k-2026-07-06.txt.gz'))).slice(0, nDga))
    out.push({ domain, label: 'benign' });
  return out;
}

export function arg(name, dflt) {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : a.slice(name.length + 3);
}
