#!/usr/bin/env node
// `npm run demo:model`: rebuilds data/demo/model, the model `npm run demo` imports and promotes,
// with the product's own path from data to model: a scratch database and queue prefix (nothing of
// the running installation is touched), the demo's earlier feed and benign list ingested with the
// CLI, the API and a worker started on them, one training job with DEMO_MODEL (scripts/demo-lib.mjs),
// then `dgascope models export`. The scratch database and queue keys are removed at the end.
// Needs the build (npx turbo run build) and PostgreSQL and Redis (scripts/services.sh), as the demo.
// The weights differ from run to run in their last digits (multi-threaded float sums); the recipe,
// data, split and seed are fixed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { apiClient, BENIGN_TAKEN_AT, cli, DEMO_FILES, DEMO_MODEL, DEMO_MODEL_DIR, ROOT } from './demo-lib.mjs';

const require = createRequire(path.join(ROOT, 'apps', 'api', 'package.json'));
const pg = require('pg');
const Redis = require('ioredis');

const base = new URL(process.env.DATABASE_URL ?? 'postgresql://dgascope:dgascope@127.0.0.1:5432/dgascope');
const scratch = new URL(base);
scratch.pathname = `/${base.pathname.slice(1)}_demo_model`;
const scratchName = scratch.pathname.slice(1);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = 'dgascope-demo-model';
const port = Number(process.env.DEMO_MODEL_PORT ?? 4199);
const key = randomBytes(24).toString('base64url');
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DGASCOPE_ENV_FILE: 'none',
  DATABASE_URL: scratch.href,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: prefix,
  ADMIN_API_KEY: key,
  HOST: '127.0.0.1',
  PORT: String(port),
};
const logs = path.join(ROOT, '.dgascope', 'demo-model');
mkdirSync(logs, { recursive: true });

async function admin(sql) {
  const maintenance = new URL(base);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.href });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
const dropScratch = () => admin(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`);

async function clearQueues() {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const children = [];
function start(name, script, extraEnv = {}) {
  const out = createWriteStream(path.join(logs, `${name}.log`));
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  children.push(child);
  return child;
}

const started = Date.now();
const step = (s) => console.log(`\n==> ${s}`);
try {
  step(`scratch database ${scratchName}, queue prefix ${prefix} on ${redisUrl}`);
  await dropScratch();
  await admin(`CREATE DATABASE "${scratchName}"`);
  await clearQueues();
  await new Promise((resolve, reject) =>
    spawn('npx', ['prisma', 'migrate', 'deploy'], { cwd: path.join(ROOT, 'apps', 'api'), env, stdio: ['ignore', 'ignore', 'inherit'] })
      .on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy exited with ${code}`))))
      .on('error', reject),
  );

  step('ingesting the earlier demo feed and the benign list');
  const earlier = JSON.parse(cli(['ingest', DEMO_FILES.earlier, '--feed', 'bambenek', '--json'], env)).snapshotId;
  const benign = JSON.parse(
    cli(['ingest', DEMO_FILES.benign, '--feed', 'umbrella', '--taken-at', BENIGN_TAKEN_AT, '--json'], env),
  ).snapshotId;

  step(`training ${JSON.stringify(DEMO_MODEL)} on snapshots ${earlier} and ${benign} (logs in ${path.relative(ROOT, logs)})`);
  start('api', 'apps/api/dist/main.js');
  // The worker's metrics on a port of its own (the API serves its metrics on its own port).
  start('worker', 'apps/api/dist/workers/main.js', { METRICS_PORT: String(port + 1) });
  const api = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${api}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i === 120 || children.some((c) => c.exitCode !== null))
      throw new Error(`the API or the worker did not start: see ${path.relative(ROOT, logs)}/*.log`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const { train } = apiClient(`${api}/graphql`, key);
  const modelId = await train('training', [earlier, benign], DEMO_MODEL);

  step(`exporting model ${modelId} to ${DEMO_MODEL_DIR}`);
  rmSync(path.join(ROOT, DEMO_MODEL_DIR), { recursive: true, force: true });
  process.stdout.write(cli(['models', 'export', String(modelId), DEMO_MODEL_DIR], env));
  console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null)));
  await dropScratch().catch((err) => console.error(`could not drop ${scratchName}: ${err.message}`));
  await clearQueues().catch((err) => console.error(`could not remove the ${prefix}:* keys: ${err.message}`));
}
