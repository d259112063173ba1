#!/usr/bin/env node
// Load benchmark of the GraphQL API, on loopback only and bounded in time: `classify` with 1
// and 100 domains, and a `predictions` page of 100 rows over a table of ROWS predictions, each
// at concurrency 1, 8 and 32 for DURATION seconds (autocannon). The API runs as its own process
// (`node apps/api/dist/main.js`, as in production, queries with a viewer key); its memory is
// read from /proc before and after. Prints throughput, p50/p95/p99 latency, errors, and the API
// process's CPU time per request (steadier than latency on a shared machine).
// Usage: npm run bench:load [-- --duration 30 --rows 1000000 --concurrency 1,8,32 --only classify --rounds 3]
// --rounds N (default 3) repeats the scenarios against the same API process, with the load average
// and the memory after each round (leaks); the medians over the rounds are the figures reported,
// and every round is written to bench/history/load-<date>.json.
// ML_BACKEND=wasm|tfjs-node forces the API's backends (default: WASM for small classify batches on
// the API's thread, the best that loads on its inference thread for large ones).
// API_NODE_ARGS: node options for the API process (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof').
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { freshDatabase, promoteQuickModel, root, seedNames } from './support.mjs';
import { loadAverage, median, writeHistory } from './record.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const ml = require(path.join(root, 'packages/ml/dist/index.js'));
const { createDeps } = require(path.join(root, 'apps/api/dist/deps.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DURATION = Number(arg('duration', 30));
const ROWS = Number(arg('rows', 1_000_000));
const CONCURRENCY = String(arg('concurrency', '1,8,32')).split(',').map(Number);
const ONLY = arg('only', ''); // run only the scenarios whose name contains this
const ROUNDS = Number(arg('rounds', 3));
const startedAt = new Date();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const url = await freshDatabase('dgascope_bench_load');
const deps = createDeps({
  DATABASE_URL: url,
  REDIS_URL,
  MAX_INGEST_BYTES: 1024 ** 3,
  INGEST_ALLOWED_DIRS: [],
  QUEUE_PREFIX: `bench-${process.pid}`,
  CLASSIFY_MAX_DOMAINS: 1000,
});
const seeds = seedNames();
const backend = await ml.ensureBackend();
const { model, trained } = await promoteQuickModel(ml, deps.db.prisma, seeds);
trained.model.dispose();

// ROWS predictions of one completed bulk job, written set-based (what a bulk job leaves behind).
const setupStarted = Date.now();
const job = await deps.db.prisma.job.create({
  data: {
    id: `bench-load-${process.pid}`,
    kind: 'CLASSIFICATION',
    state: 'COMPLETED',
    input: {},
    modelId: model.id,
    finishedAt: new Date(),
  },
});
await deps.db.pool.query(
  `INSERT INTO predictions (job_id, model_id, domain, verdict, family, probability, dga_score, unknown_family, top3)
   SELECT $1, $2, 'd' || i || '.example.com', CASE WHEN i % 97 >= 49 THEN 'DGA' ELSE 'BENIGN' END::"Verdict",
          ($3::text[])[1 + i % array_length($3::text[], 1)],
          0.5 + (i % 50) / 100.0, (i % 97) / 97.0, i % 13 = 0 AND i % 97 >= 49, '[]'::jsonb
   FROM generate_series(1, $4::int) AS i`,
  [job.id, model.id, model.labels, ROWS],
);
await deps.db.pool.query('ANALYZE predictions');
console.log(
  `setup: ${ROWS.toLocaleString('en')} predictions written in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s; model ${model.labels.length} classes; backend ${backend.choice}`,
);
const { secret } = await deps.apiKeys.create('bench-viewer', 'VIEWER', 'bench');
await deps.close();

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const nodeArgs = (process.env.API_NODE_ARGS ?? '').split(' ').filter(Boolean);
const api = spawn(process.execPath, [...nodeArgs, path.join(root, 'apps/api/dist/main.js')], {
  env: {
    PATH: process.env.PATH,
    DATABASE_URL: url,
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    NODE_ENV: 'production',
    REQUIRE_AUTH: 'true',
    QUEUE_PREFIX: `bench-${process.pid}`,
    ...(process.env.ML_BACKEND ? { ML_BACKEND: process.env.ML_BACKEND } : {}),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// The API must not outlive the benchmark, however it ends.
process.once('exit', () => api.kill('SIGTERM'));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
await new Promise((resolve, reject) => {
  api.stdout.on('data', (c) => /dgascope API on/.test(c.toString()) && resolve());
  api.once('exit', (code) => reject(new Error(`API exited with ${code}`)));
});
const memory = () => {
  const status = readFileSync(`/proc/${api.pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)[1]);
  return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) };
};
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: fixed at 100 on Linux
/** CPU time of the API process so far (all its threads), in ms. */
const cpuMs = () => {
  const fields = readFileSync(`/proc/${api.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND; // utime + stime
};

const endpoint = `http://127.0.0.1:${port}/graphql`;
const body = (query, variables = {}) => JSON.stringify({ query, variables });
const domains = (n) => Array.from({ length: n }, (_, i) => seeds[(i * 7919) % seeds.length]);
const PREDICTION_FIELDS = 'id domain verdict family probability dgaScore unknownFamily createdAt';
const scenarios = [
  {
    name: 'classify, 1 domain',
    body: body('query($d: [String!]!) { classify(domains: $d) { domain family probability } }', { d: domains(1) }),
  },
  {
    name: 'classify, 100 domains',
    body: body('query($d: [String!]!) { classify(domains: $d) { domain family probability } }', { d: domains(100) }),
  },
  { name: 'predictions, page of 100', body: body(`{ predictions(first: 100) { nodes { ${PREDICTION_FIELDS} } pageInfo { endCursor } } }`) },
  {
    name: 'predictions, page of 100, one family',
    body: body(`query($f: String!) { predictions(first: 100, filter: { family: $f }) { nodes { ${PREDICTION_FIELDS} } } }`, {
      f: model.labels.at(-1),
    }),
  },
];

// Warm-up: the API loads the promoted model on its first classify (and starts its inference
// thread, which the 100-domain calls use), and plans each query once.
for (const scenario of scenarios) {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: scenario.body,
  });
  const text = await r.text();
  if (!r.ok || text.includes('"errors"')) throw new Error(`warm-up of "${scenario.name}" failed: ${r.status} ${text.slice(0, 300)}`);
}

const before = memory();
const results = [];
const rounds = [];
for (let round = 1; round <= ROUNDS; round++) {
  const loadBefore = loadAverage();
  console.log(`round ${round}/${ROUNDS}, load average before: ${loadBefore}`);
  for (const scenario of scenarios.filter((s) => s.name.includes(ONLY))) {
    for (const connections of CONCURRENCY) {
      const latencies = [];
      let graphqlErrors = 0;
      const instance = autocannon({
        url: endpoint,
        connections,
        duration: DURATION,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
            body: scenario.body,
            onResponse: (status, responseBody) => {
              if (status === 200 && responseBody.includes('"errors"')) graphqlErrors++;
            },
          },
        ],
      });
      instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
      const cpuBefore = cpuMs();
      const r = await instance;
      const cpuPerRequest = (cpuMs() - cpuBefore) / Math.max(1, r.requests.total);
      latencies.sort((a, b) => a - b);
      const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
      const row = {
        round,
        scenario: scenario.name,
        concurrency: connections,
        requests: r.requests.total,
        perSecond: Math.round(r.requests.total / r.duration),
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        errors: r.errors + r.timeouts + r.non2xx + graphqlErrors,
        apiCpuMsPerRequest: cpuPerRequest,
      };
      results.push(row);
      console.log(
        `${row.scenario.padEnd(38)} c=${String(connections).padStart(2)}  ${String(row.perSecond).padStart(6)} req/s  p50 ${row.p50.toFixed(1)} ms  p95 ${row.p95.toFixed(1)} ms  p99 ${row.p99.toFixed(1)} ms  errors ${row.errors}  API CPU ${row.apiCpuMsPerRequest.toFixed(2)} ms/req`,
      );
    }
  }
  const after = memory();
  const loadAfter = loadAverage();
  rounds.push({ round, loadBefore, loadAfter, memory: after });
  console.log(`round ${round}/${ROUNDS}, load average after: ${loadAfter}`);
  console.log(
    `API process memory (RSS)${ROUNDS > 1 ? ` after round ${round}` : ''}: ${before.rssMiB} MiB before, ${after.rssMiB} MiB after, peak ${after.peakMiB} MiB`,
  );
}

// Medians over the rounds, cell by cell.
const medians = [];
for (const row of results.filter((r) => r.round === 1)) {
  const same = results.filter((r) => r.scenario === row.scenario && r.concurrency === row.concurrency);
  const m = (k) => median(same.map((r) => r[k]));
  medians.push({
    scenario: row.scenario,
    concurrency: row.concurrency,
    perSecond: m('perSecond'),
    p50: m('p50'),
    p95: m('p95'),
    p99: m('p99'),
    errors: same.reduce((a, r) => a + r.errors, 0),
    apiCpuMsPerRequest: m('apiCpuMsPerRequest'),
  });
}
console.log(`\nmedians of ${ROUNDS} round(s):`);
console.log('| scenario | c | req/s | p50 ms | p95 ms | p99 ms | errors | API CPU ms/req |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of medians)
  console.log(
    `| ${r.scenario} | ${r.concurrency} | ${r.perSecond} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.apiCpuMsPerRequest.toFixed(2)} |`,
  );

const target = (scenario, c, limit) => {
  for (const row of medians.filter((r) => r.scenario === scenario && r.concurrency === c)) {
    const each = results.filter((r) => r.scenario === scenario && r.concurrency === c).map((r) => r.p99.toFixed(1));
    console.log(
      `target ${scenario} p99 < ${limit} ms at c=${c}: median ${row.p99.toFixed(1)} ms (rounds: ${each.join(', ')}) — ${row.p99 < limit ? 'met' : 'NOT met'}`,
    );
  }
};
target('classify, 1 domain', 8, 25);
target('predictions, page of 100', 8, 50);
target('predictions, page of 100, one family', 8, 50);

console.log(`load average (1, 5, 15 min): before ${rounds[0]?.loadBefore}, after ${loadAverage()}`);
writeHistory('load', {
  startedAt,
  settings: {
    duration: DURATION,
    rows: ROWS,
    concurrency: CONCURRENCY,
    only: ONLY || null,
    rounds: ROUNDS,
    backend: process.env.ML_BACKEND ?? null,
  },
  medians,
  runs: results.map((r) => ({ ...r, ...rounds.find((x) => x.round === r.round) })),
});

api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));
