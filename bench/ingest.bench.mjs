#!/usr/bin/env node
// Ingest benchmark: a 1M-row top list (rank,domain) into a fresh PostgreSQL database,
// end to end (read, parse, normalise, COPY, merge, commit), on the real service code.
// Prints rows/s for a cold load (empty database), an identical re-ingest (skipped by
// sha256) and a warm load (the next day's list, mostly domains already known), beside the
// baseline measured in the same run: the bare `COPY` of the same file into a table with a
// unique B-tree on (name, rank) (what PostgreSQL itself does at best with such a list). Each run
// is repeated (--reps, default 3) on a fresh database; medians are reported, the load average
// printed around each run, and everything written to bench/history/ingest-<date>.json.
// Beside the wall-clock figures: each run's own ratio to its own baseline (their median is
// steadier than the ratio of the medians when other work loads the machine), and the CPU
// seconds the PostgreSQL client backends spent (read from /proc when the server is local;
// parallel index-build workers are not counted), which depend little on that load.
// Usage: npm run bench:ingest [-- --rows 1000000 --reps 3]
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cache, freshDatabase, nameAt, root, seedNames, withBackendCpu, writeTopList, BASE_DATABASE_URL as BASE } from './support.mjs';
import { loadAverage, median, repeat, repetitions, writeHistory } from './record.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { from: copyFrom } = require(require.resolve('pg-copy-streams', { paths: [path.join(root, 'apps/api')] }));
const { IngestionService } = require(path.join(root, 'apps/api/dist/modules/ingestion/ingestion.service.js'));

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const REPS = repetitions();
// Day 2 keeps 90% of day 1 (in a different order) and adds 10% new names.
const seeds = seedNames();
const day1 = Array.from({ length: ROWS }, (_, i) => nameAt(seeds, i));
const day2 = [
  ...day1.slice(Math.floor(ROWS * 0.1)).reverse(),
  ...Array.from({ length: Math.floor(ROWS * 0.1) }, (_, i) => nameAt(seeds, ROWS + i)),
];
const file1 = path.join(cache, `top-${ROWS}-day1.csv`);
const file2 = path.join(cache, `top-${ROWS}-day2.csv`);
await writeTopList(file1, day1);
await writeTopList(file2, day2);

const seconds = (from) => Number(process.hrtime.bigint() - from) / 1e9;

/**
 * The baseline: the day-1 file as it is, COPYed into a fresh table with a unique B-tree led by
 * the name. (name, rank) and not the name alone: the generated list repeats 121 names, which
 * the ingestion counts as duplicates and a unique name index would refuse.
 */
async function baseline(pool) {
  const client = await pool.connect();
  try {
    await client.query('CREATE TABLE bench_baseline (rank int NOT NULL, name text NOT NULL, UNIQUE (name, rank))');
    const started = process.hrtime.bigint();
    await pipeline(createReadStream(file1), client.query(copyFrom('COPY bench_baseline (rank, name) FROM STDIN (FORMAT csv)')));
    const s = seconds(started);
    await client.query('DROP TABLE bench_baseline');
    return { seconds: s, rowsPerSec: Math.round(ROWS / s) };
  } finally {
    client.release();
  }
}

async function ingest(service, file) {
  const started = process.hrtime.bigint();
  let readSeconds = null;
  const outcome = await service.ingest({ feed: 'bench-top-list', source: { kind: 'path', path: file } }, (p) => {
    if (p.phase === 'merging' && readSeconds === null) readSeconds = seconds(started);
  });
  const total = seconds(started);
  return {
    rows: outcome.rowsRead,
    created: outcome.created,
    seconds: total,
    rowsPerSec: Math.round(outcome.rowsRead / total),
    readCopySeconds: readSeconds ?? total,
    mergeSeconds: total - (readSeconds ?? total),
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en');
const startedAt = new Date();
console.log(`ingest benchmark: ${fmt(ROWS)}-row rank,domain top list, PostgreSQL ${BASE.replace(/\/\/[^@]*@/, '//')}, ${REPS} runs`);
const runs = await repeat(REPS, 'ingest', async () => {
  const url = await freshDatabase('dgascope_bench');
  const pool = new Pool({ connectionString: url, max: 2 });
  const service = new IngestionService(pool, { maxBytes: 4 * 1024 ** 3 });
  try {
    const result = {
      baseline: await withBackendCpu(pool, () => baseline(pool)),
      cold: await withBackendCpu(pool, () => ingest(service, file1)),
      again: await ingest(service, file1),
      warm: await withBackendCpu(pool, () => ingest(service, file2)),
    };
    for (const k of ['cold', 'warm']) result[k].vsBaseline = result[k].rowsPerSec / result.baseline.rowsPerSec;
    for (const [k, r] of Object.entries(result)) {
      const parts =
        (r.readCopySeconds != null ? `  (read+COPY ${r.readCopySeconds.toFixed(2)} s, merge ${r.mergeSeconds.toFixed(2)} s)` : '') +
        (r.vsBaseline != null ? `  ${r.vsBaseline.toFixed(2)}x this run's baseline` : '') +
        (r.backendCpuSeconds != null ? `  backend CPU ${r.backendCpuSeconds.toFixed(2)} s` : '');
      console.log(
        `  ${k.padEnd(9)} ${r.seconds.toFixed(2).padStart(7)} s ${fmt(r.rowsPerSec).padStart(9)} rows/s${parts}${r.created === false ? '  [already ingested: skipped]' : ''}`,
      );
    }
    return result;
  } finally {
    await pool.end();
  }
});

const med = (pick) => median(runs.map(pick));
const medians = {};
for (const k of ['baseline', 'cold', 'again', 'warm']) {
  medians[k] = {
    seconds: med((r) => r[k].seconds),
    rowsPerSec: med((r) => r[k].rowsPerSec),
    backendCpuSeconds: med((r) => r[k].backendCpuSeconds),
  };
  if (k === 'cold' || k === 'warm') medians[k].vsBaseline = med((r) => r[k].vsBaseline);
  if (k !== 'baseline')
    Object.assign(medians[k], { readCopySeconds: med((r) => r[k].readCopySeconds), mergeSeconds: med((r) => r[k].mergeSeconds) });
}
const cases = [
  ['bare COPY into a uniquely indexed table (baseline)', medians.baseline],
  ['cold (empty database)', medians.cold],
  ['same file again (sha256 match: skipped)', medians.again],
  ['next day (90% known domains)', medians.warm],
];
console.log(`\nmedians of ${REPS} runs (${fmt(ROWS)} rows):`);
console.log('| case | time | rows/s | vs baseline | read + COPY | merge |');
console.log('|---|---|---|---|---|---|');
for (const [label, m] of cases) {
  const ratio = m === medians.baseline || m === medians.again ? '' : `${(m.rowsPerSec / medians.baseline.rowsPerSec).toFixed(2)}x`;
  const split =
    m.readCopySeconds != null && m !== medians.again ? [`${m.readCopySeconds.toFixed(1)} s`, `${m.mergeSeconds.toFixed(1)} s`] : ['', ''];
  console.log(
    `| ${label} | ${m.seconds.toFixed(2)} s | ${m === medians.again ? '—' : fmt(m.rowsPerSec)} | ${ratio} | ${split.join(' | ')} |`,
  );
}
for (const k of ['cold', 'warm'])
  console.log(
    `target ${k} ≥ 100,000 rows/s: ${fmt(medians[k].rowsPerSec)} — ${medians[k].rowsPerSec >= 100_000 ? 'met' : 'NOT met'}; ` +
      `≥ 0.55x baseline: ${(medians[k].rowsPerSec / medians.baseline.rowsPerSec).toFixed(2)}x — ${medians[k].rowsPerSec >= 0.55 * medians.baseline.rowsPerSec ? 'met' : 'NOT met'}`,
  );
const cpu = (k) => medians[k].backendCpuSeconds;
if (cpu('baseline') != null)
  console.log(
    `PostgreSQL backend CPU, medians: baseline ${cpu('baseline').toFixed(2)} s, cold ${cpu('cold').toFixed(2)} s (baseline/cold ${(cpu('baseline') / cpu('cold')).toFixed(2)}), ` +
      `warm ${cpu('warm').toFixed(2)} s (baseline/warm ${(cpu('baseline') / cpu('warm')).toFixed(2)})`,
  );
for (const k of ['cold', 'warm'])
  console.log(`${k}: median of the per-run ratios to the run's own baseline ${medians[k].vsBaseline.toFixed(2)}x`);
console.log(`load average (1, 5, 15 min): before ${runs[0].loadBefore}, after ${loadAverage()}`);
console.log(`peak RSS of the ingesting process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
writeHistory('ingest', {
  startedAt,
  settings: { rows: ROWS, reps: REPS },
  runs,
  medians: { ...medians, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) },
});
