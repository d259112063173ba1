#!/usr/bin/env node
// Bulk-classification benchmark: a bulk job over an N-domain snapshot (default 1M), end to end on
// the product's code: read the snapshot from PostgreSQL page by page, classify on the inference
// threads, write the predictions, and summarise; for the default preset and the seed preset
// endgame-2016 (each a model of the preset's architecture, trained for 1 epoch). Beside each job,
// in the same load window, the same model alone on this thread (scores of the snapshot's first
// 20,480 names, what a job computes per name): the job's rate as a fraction of it.
// Repeated (--reps, default 3), presets interleaved; medians, the load average around each run,
// and bench/history/classify-<date>.json.
// Usage: npm run bench:classify [-- --rows 1000000 --threads 2 --reps 3 --presets resnet-cnn,endgame-2016]
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadAverage, median, repetitions, writeHistory } from './record.mjs';
import { cache, freshDatabase, nameAt, promoteQuickModel, root, seedNames, withBackendCpu, writeTopList } from './support.mjs';

const require = createRequire(import.meta.url);
const ml = require(path.join(root, 'packages/ml/dist/index.js'));
const { createDeps } = require(path.join(root, 'apps/api/dist/deps.js'));

const argOf = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROWS = Number(argOf('rows') ?? 1_000_000);
const THREADS = Number(argOf('threads') ?? 2);
const REPS = repetitions();
const PRESETS = (argOf('presets') ?? `${ml.DEFAULT_PRESET},endgame-2016`).split(',');
const ALONE_NAMES = 20480;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// The snapshot: a top list of ROWS distinct names (real Umbrella names, prefixed to be unique).
const seeds = seedNames();
const names = Array.from({ length: ROWS }, (_, i) => nameAt(seeds, i));
const file = path.join(cache, `classify-${ROWS}.csv`);
await writeTopList(file, names);

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
const models = [];
for (const preset of PRESETS) models.push({ preset, ...(await promoteQuickModel(ml, deps.db.prisma, seeds, preset)) });

/** The model alone on this thread: scores (probabilities + novelty) of the snapshot's first names. */
function modelAlone(model) {
  const encoded = names.slice(0, ALONE_NAMES).map((n) => {
    const p = ml.toModelInput(n, model.meta.inputForm);
    return model.tokenizer.encode(p.ok ? p.input : n);
  });
  model.scoreEncoded(encoded.slice(0, 4096)); // warm-up
  const t = performance.now();
  const c0 = process.cpuUsage();
  model.scoreEncoded(encoded);
  const c = process.cpuUsage(c0);
  return {
    aloneDomainsPerSec: Math.round(encoded.length / ((performance.now() - t) / 1000)),
    aloneDomainsPerCpuSec: Math.round(encoded.length / ((c.user + c.system) / 1e6)),
  };
}

const started = new Date();
const runs = [];
console.log(
  `bulk classification benchmark: ${ROWS.toLocaleString('en')}-domain snapshot, presets ${PRESETS.join(', ')}, backend ${backend.choice}, ${THREADS} inference thread(s), ${REPS} rep(s)`,
);
for (let rep = 1; rep <= REPS; rep++)
  for (const { preset, model, trained } of models) {
    const loadBefore = loadAverage();
    const { aloneDomainsPerSec, aloneDomainsPerCpuSec } = modelAlone(trained.model);
    // The job row and queue entry as the API creates them; the run itself is what a worker executes.
    const job = await deps.classification.start({ snapshotId: snapshot.snapshotId, modelId: model.id });
    await deps.queue.removeWaiting('bulk-classification', job.id);
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage(); // this process, inference threads included; PostgreSQL's CPU is not in it
    const { backendCpuSeconds } = await withBackendCpu(deps.db.pool, async () => {
      await deps.runner.run(deps.jobKinds.CLASSIFICATION, { jobId: job.id, attempt: 1, final: true });
      return {};
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    const nodeCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const done = await deps.jobs.get(job.id);
    const stored = Number((await deps.db.pool.query('SELECT count(*) AS n FROM predictions WHERE job_id = $1', [job.id])).rows[0].n);
    const row = {
      rep,
      preset,
      arch: trained.model.config.arch ?? 'lstm',
      state: done.state,
      predictions: stored,
      seconds: +seconds.toFixed(1),
      jobDomainsPerSec: Math.round(stored / seconds),
      nodeCpuSeconds: +nodeCpuSeconds.toFixed(1),
      postgresCpuSeconds: backendCpuSeconds == null ? null : +backendCpuSeconds.toFixed(1),
      jobDomainsPerNodeCpuSec: Math.round(stored / nodeCpuSeconds),
      jobDomainsPerCpuSec: backendCpuSeconds == null ? null : Math.round(stored / (nodeCpuSeconds + backendCpuSeconds)),
      aloneDomainsPerSec,
      aloneDomainsPerCpuSec,
      jobVsAlone: +(stored / seconds / aloneDomainsPerSec).toFixed(2),
      // The steadier figures on a loaded machine: CPU per name, the job's against the model's alone.
      cpuJobVsAlone: +(stored / nodeCpuSeconds / aloneDomainsPerCpuSec).toFixed(2),
      cpuJobWithPostgresVsAlone:
        backendCpuSeconds == null ? null : +(stored / (nodeCpuSeconds + backendCpuSeconds) / aloneDomainsPerCpuSec).toFixed(2),
      loadBefore,
      loadAfter: loadAverage(),
    };
    runs.push(row);
    console.log(`[classify] ${JSON.stringify(row)}`);
    // the next job starts from the same table size (and the disk does not fill up)
    await deps.db.pool.query('DELETE FROM predictions WHERE job_id = $1', [job.id]);
  }

const medians = PRESETS.map((preset) => {
  const rs = runs.filter((r) => r.preset === preset);
  const m = (k) => median(rs.map((r) => r[k]));
  return {
    preset,
    jobDomainsPerSec: m('jobDomainsPerSec'),
    aloneDomainsPerSec: m('aloneDomainsPerSec'),
    jobVsAlone: m('jobVsAlone'),
    cpuJobVsAlone: m('cpuJobVsAlone'),
    cpuJobWithPostgresVsAlone: m('cpuJobWithPostgresVsAlone'),
    jobDomainsPerNodeCpuSec: m('jobDomainsPerNodeCpuSec'),
    jobDomainsPerCpuSec: m('jobDomainsPerCpuSec'),
    postgresCpuSeconds: m('postgresCpuSeconds'),
    aloneDomainsPerCpuSec: m('aloneDomainsPerCpuSec'),
  };
});
console.log(
  `\n| preset | bulk job domains/s (end to end) | model alone domains/s | job / alone | job per CPU-s of node | job per CPU-s of node + PostgreSQL | PostgreSQL CPU-s per job | alone per CPU-s | job / alone by CPU (node; + PostgreSQL) |`,
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of medians)
  console.log(
    `| ${r.preset} | ${r.jobDomainsPerSec} | ${r.aloneDomainsPerSec} | ${r.jobVsAlone} | ${r.jobDomainsPerNodeCpuSec} | ${r.jobDomainsPerCpuSec} | ${r.postgresCpuSeconds} | ${r.aloneDomainsPerCpuSec} | ${r.cpuJobVsAlone}; ${r.cpuJobWithPostgresVsAlone} |`,
  );
console.log(`load average (1, 5, 15 min): before ${runs[0]?.loadBefore}, after ${loadAverage()}`);
console.log(`peak RSS of the benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (inference threads included)`);
writeHistory('classify', {
  startedAt: started,
  settings: { rows: ROWS, threads: THREADS, reps: REPS, presets: PRESETS, backend: backend.choice, aloneNames: ALONE_NAMES },
  medians,
  runs,
});
for (const m of models) m.trained.model.dispose();
await deps.close();
