#!/usr/bin/env node
// Bulk-classification benchmark: a bulk job over an N-domain snapshot (default 1M), end to
// end on the product's code: read the snapshot from PostgreSQL page by page, classify with the
// Endgame model (default architecture) on the offline backend, write the predictions, and
// summarise. Prints domains/s. Usage: npm run bench:classify [-- --rows 1000000 --threads 2]
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
const ROWS = arg('rows', 1_000_000);
const THREADS = arg('threads', 2);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// The snapshot: a top list of ROWS distinct names (real Umbrella names, prefixed to be unique).
const seeds = seedNames();
const file = path.join(cache, `classify-${ROWS}.csv`);
await writeTopList(
  file,
  Array.from({ length: ROWS }, (_, i) => nameAt(seeds, i)),
);

const url = await freshDatabase('dgascope_bench_classify');

const deps = createDeps({
  DATABASE_URL: url,
  REDIS_URL,
  MAX_INGEST_BYTES: 4 * 1024 ** 3,
  INGEST_ALLOWED_DIRS: [],
  QUEUE_PREFIX: `bench-${process.pid}`,
  CLASSIFY_MAX_DOMAINS: 1000,
  INFERENCE_THREADS: THREADS,
  // One piece in this process: what one worker does (bench:flows measures a job split over workers).
  CLASSIFY_CHUNK_SIZE: ROWS + 1,
});
const backend = await ml.ensureBackend();
const snapshot = await deps.ingestion.ingest({ feed: 'bench', source: { kind: 'path', path: file } });

const { model, trained } = await promoteQuickModel(ml, deps.db.prisma, seeds);

// The job row and queue entry as the API creates them; the run itself is what a worker executes.
const job = await deps.classification.start({ snapshotId: snapshot.snapshotId, modelId: model.id });
await deps.queue.removeWaiting('bulk-classification', job.id);
const started = process.hrtime.bigint();
await deps.runner.run(deps.jobKinds.CLASSIFICATION, { jobId: job.id, attempt: 1, final: true });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const done = await deps.jobs.get(job.id);
const stored = Number((await deps.db.pool.query('SELECT count(*) AS n FROM predictions WHERE job_id = $1', [job.id])).rows[0].n);
console.log(
  `bulk classification benchmark: ${ROWS.toLocaleString('en')}-domain snapshot, model ${trained.model.labels.length} classes (Embedding ${trained.model.config.embeddingDim} → LSTM ${trained.model.config.lstmUnits}), backend ${backend.choice}, ${THREADS} inference thread(s)`,
);
console.log(
  `job ${done.state.toLowerCase()}: ${stored.toLocaleString('en')} predictions in ${seconds.toFixed(1)} s = ${Math.round(stored / seconds).toLocaleString('en')} domains/s end to end (read, classify, write, summarise)`,
);
console.log(`peak RSS of the benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (inference threads included)`);
trained.model.dispose();
await deps.close();
