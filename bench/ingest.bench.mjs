#!/usr/bin/env node
// Ingest benchmark: a 1M-row top list (rank,domain) into a fresh PostgreSQL database,
// end to end (read, parse, normalise, COPY, merge, commit), on the real service code.
// Prints rows/s for a cold load (empty database), an identical re-ingest (skipped by
// sha256) and a warm load (the next day's list, mostly domains already known), plus the
// peak memory of this process. Usage: npm run bench:ingest [-- --rows 1000000]
import { createRequire } from 'node:module';
import path from 'node:path';
import { cache, freshDatabase, nameAt, root, seedNames, writeTopList, BASE_DATABASE_URL as BASE } from './support.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { IngestionService } = require(path.join(root, 'apps/api/dist/modules/ingestion/ingestion.service.js'));

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
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

const url = await freshDatabase('dgascope_bench');
const pool = new Pool({ connectionString: url, max: 2 });
const service = new IngestionService(pool, { maxBytes: 4 * 1024 ** 3 });
async function run(label, file) {
  const started = process.hrtime.bigint();
  let mergeStarted = null;
  const outcome = await service.ingest({ feed: 'bench-top-list', source: { kind: 'path', path: file } }, (p) => {
    if (p.phase === 'merging' && mergeStarted === null) mergeStarted = process.hrtime.bigint();
  });
  const end = process.hrtime.bigint();
  const seconds = Number(end - started) / 1e9;
  const read = mergeStarted ? Number(mergeStarted - started) / 1e9 : seconds;
  console.log(
    `${label.padEnd(34)} ${String(outcome.rowsRead).padStart(9)} rows  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(
      outcome.rowsRead / seconds,
    )
      .toLocaleString('en')
      .padStart(
        9,
      )} rows/s   (read+COPY ${read.toFixed(2)} s, merge ${(seconds - read).toFixed(2)} s)${outcome.created ? '' : '  [already ingested: skipped]'}`,
  );
}
console.log(`ingest benchmark: ${ROWS.toLocaleString('en')}-row rank,domain top list, PostgreSQL ${BASE.replace(/\/\/[^@]*@/, '//')}`);
await run('cold (empty database)', file1);
await run('same file again', file1);
await run('next day (90% known domains)', file2);
console.log(`peak RSS of the ingesting process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
await pool.end();
