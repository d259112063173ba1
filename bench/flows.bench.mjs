#!/usr/bin/env node
// Bulk jobs as flows: one bulk classification of an N-domain snapshot (default 200k), split into
// chunks, run by 1 and by 2 real worker processes (npm run worker) on this machine, timed from
// the job's creation to its completion (worker start-up excluded). The per-chunk overhead is the
// extra time of a job in many small chunks over the same job in one piece, per extra chunk.
// Usage: npm run bench:flows [-- --rows 200000 --chunk 20000 --small-chunk 2000]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cache, freshDatabase, nameAt, promoteQuickModel, root, seedNames, writeTopList } from './support.mjs';

const require = createRequire(import.meta.url);
const ml = require(path.join(root, 'packages/ml/dist/index.js'));
const { createDeps } = require(path.join(root, 'apps/api/dist/deps.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 200_000);
const CHUNK = arg('chunk', 20_000);
const SMALL = arg('small-chunk', 2_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const seeds = seedNames();
const file = path.join(cache, `flows-${ROWS}.csv`);
await writeTopList(
  file,
  Array.from({ length: ROWS }, (_, i) => nameAt(seeds, i)),
);
const url = await freshDatabase('dgascope_bench_flows');
const setup = createDeps({
  DATABASE_URL: url,
  REDIS_URL,
  MAX_INGEST_BYTES: 4 * 1024 ** 3,
  INGEST_ALLOWED_DIRS: [],
  QUEUE_PREFIX: 'unused',
  CLASSIFY_MAX_DOMAINS: 1000,
});
await ml.ensureBackend();
const snapshot = (await setup.ingestion.ingest({ feed: 'bench', source: { kind: 'path', path: file } })).snapshotId;
const { model, trained } = await promoteQuickModel(ml, setup.db.prisma, seeds);
trained.model.dispose();
await setup.close();

function startWorker(prefix, threads) {
  const child = spawn(process.execPath, [path.join(root, 'apps/api/dist/workers/main.js')], {
    env: {
      PATH: process.env.PATH,
      DGASCOPE_ENV_FILE: 'none',
      DATABASE_URL: url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      METRICS_PORT: '0',
      INFERENCE_THREADS: String(threads),
      RETENTION_CRON: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/queues model-training/.test(out)) {
        clearInterval(timer);
        resolve(child);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(out));
      }
    }, 100);
  });
}

/** One bulk job run by `workers` worker processes of `threads` inference threads; seconds from creation to completion. */
async function run(label, workers, threads, chunkSize) {
  const prefix = `bench-flows-${process.pid}-${label.replace(/\W+/g, '')}`;
  const deps = createDeps({
    DATABASE_URL: url,
    REDIS_URL,
    MAX_INGEST_BYTES: 1e9,
    INGEST_ALLOWED_DIRS: [],
    QUEUE_PREFIX: prefix,
    CLASSIFY_MAX_DOMAINS: 1000,
    CLASSIFY_CHUNK_SIZE: chunkSize,
  });
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(prefix, threads)));
  const started = process.hrtime.bigint();
  const job = await deps.classification.start({ snapshotId: snapshot, modelId: model.id });
  let done;
  for (;;) {
    done = await deps.jobs.get(job.id);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(done.state)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
  await deps.db.pool.query('DELETE FROM predictions WHERE job_id = $1', [job.id]);
  const chunks = done.input.chunks ?? 1;
  await deps.close();
  if (done.state !== 'COMPLETED') throw new Error(`${label}: job ${done.state}: ${done.error}`);
  console.log(
    `${label.padEnd(44)} ${String(chunks).padStart(4)} chunk(s)  ${seconds.toFixed(1).padStart(6)} s  ${Math.round(ROWS / seconds)
      .toLocaleString('en')
      .padStart(8)} domains/s`,
  );
  return { seconds, chunks };
}

console.log(
  `flows benchmark: ${ROWS.toLocaleString('en')}-domain snapshot, backend ${ml.activeBackend()?.choice}, load average before ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
await run('warm-up (1 worker, 2 threads)', 1, 2, ROWS);
const whole = await run('1 worker x 2 inference threads, one piece', 1, 2, ROWS);
const one = await run(`1 worker x 2 inference threads, chunks of ${CHUNK}`, 1, 2, CHUNK);
const twoOne = await run(`2 workers x 1 inference thread, chunks of ${CHUNK}`, 2, 1, CHUNK);
const twoTwo = await run(`2 workers x 2 inference threads, chunks of ${CHUNK}`, 2, 2, CHUNK);
const small = await run(`1 worker x 2 inference threads, chunks of ${SMALL}`, 1, 2, SMALL);
console.log(
  `2 workers vs 1 (same threads in all): ${(one.seconds / twoOne.seconds).toFixed(2)}x; 2 workers x 2 threads vs 1 x 2: ${(one.seconds / twoTwo.seconds).toFixed(2)}x`,
);
console.log(
  `per-chunk overhead: ${(((small.seconds - whole.seconds) / (small.chunks - 1)) * 1000).toFixed(0)} ms (chunks of ${SMALL} vs one piece)`,
);
console.log(
  `load average after ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
