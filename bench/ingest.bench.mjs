#!/usr/bin/env node
// Ingest benchmark: a 1M-row top list (rank,domain) into a fresh PostgreSQL database,
// end to end (read, parse, normalise, COPY, merge, commit), on the real service code.
// Prints rows/s for a cold load (empty database), an identical re-ingest (skipped by
// sha256) and a warm load (the next day's list, mostly domains already known), plus the
// peak memory of this process. Usage: npm run bench:ingest [-- --rows 1000000]
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { Client, Pool } = require('pg');
const { IngestionService } = require(path.join(root, 'apps/api/dist/modules/ingestion/ingestion.service.js'));

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const BASE = process.env.DATABASE_URL ?? 'postgresql://dgascope:dgascope@127.0.0.1:5432/dgascope';
const cache = path.join(root, 'bench', '.cache');
mkdirSync(cache, { recursive: true });

// Real host names when ../shared/data is there, made unique per day with a prefix; a
// synthetic list otherwise. Day 2 keeps 90% of day 1 (in a different order) and adds 10%.
function seedNames() {
  const umbrella = path.join(root, '..', 'shared', 'data', 'benign', 'umbrella-top100k-2026-07-06.txt.gz');
  if (existsSync(umbrella)) return gunzipSync(readFileSync(umbrella)).toString('utf8').split('\n').filter(Boolean);
  return Array.from({ length: 100_000 }, (_, i) => `site${i.toString(36)}.example${i % 7}.com`);
}
async function writeList(file, names) {
  const out = createWriteStream(file);
  for (let i = 0; i < names.length; i++) {
    if (!out.write(`${i + 1},${names[i]}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}
const seeds = seedNames();
const nameAt = (i) => (i < seeds.length ? seeds[i] : `v${Math.floor(i / seeds.length)}.${seeds[i % seeds.length]}`);
const day1 = Array.from({ length: ROWS }, (_, i) => nameAt(i));
const day2 = [
  ...day1.slice(Math.floor(ROWS * 0.1)).reverse(),
  ...Array.from({ length: Math.floor(ROWS * 0.1) }, (_, i) => nameAt(ROWS + i)),
];
const file1 = path.join(cache, `top-${ROWS}-day1.csv`);
const file2 = path.join(cache, `top-${ROWS}-day2.csv`);
await writeList(file1, day1);
await writeList(file2, day2);

const dbName = 'dgascope_bench';
const url = new URL(BASE);
url.pathname = `/${dbName}`;
const admin = new Client({ connectionString: BASE });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
execFileSync('npx', ['prisma', 'migrate', 'deploy'], {
  cwd: path.join(root, 'apps', 'api'),
  env: { ...process.env, DATABASE_URL: url.toString() },
  stdio: 'ignore',
});

const pool = new Pool({ connectionString: url.toString(), max: 2 });
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
