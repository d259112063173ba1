// What the benchmarks share: a fresh migrated database, and top lists of unique real names.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://dgascope:dgascope@127.0.0.1:5432/dgascope';
export const cache = path.join(root, 'bench', '.cache');
mkdirSync(cache, { recursive: true });

/** Drops and recreates `name`, applies the migrations with Prisma, returns its URL. */
export async function freshDatabase(name) {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: BASE_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], {
    cwd: path.join(root, 'apps', 'api'),
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: 'ignore',
  });
  return url.toString();
}

/** Real Umbrella host names when ../shared/data is there, a synthetic list otherwise. */
export function seedNames() {
  const umbrella = path.join(root, '..', 'shared', 'data', 'benign', 'umbrella-top100k-2026-07-06.txt.gz');
  if (existsSync(umbrella)) return gunzipSync(readFileSync(umbrella)).toString('utf8').split('\n').filter(Boolean);
  return Array.from({ length: 100_000 }, (_, i) => `site${i.toString(36)}.example${i % 7}.com`);
}

/** The i-th unique name: the seeds, then the seeds again under a numbered prefix. */
export function nameAt(seeds, i) {
  return i < seeds.length ? seeds[i] : `v${Math.floor(i / seeds.length)}.${seeds[i % seeds.length]}`;
}

/** Writes names as a `rank,domain` top list. */
export async function writeTopList(file, names) {
  const out = createWriteStream(file);
  for (let i = 0; i < names.length; i++) {
    if (!out.write(`${i + 1},${names[i]}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

/**
 * A promoted model: the architecture of `preset` (presets.ts), or the Endgame LSTM of the raw
 * training defaults without one. Its weights barely matter for speed, so it is trained for one
 * epoch on a small labelled sample (demo DGA feed + seeds).
 */
export async function promoteQuickModel(ml, prisma, seeds, preset = null) {
  const demo = gunzipSync(readFileSync(path.join(root, 'data', 'demo', 'dga-feed-high-2018-10-14.csv.gz')))
    .toString('utf8')
    .split('\n');
  const labelled = [
    ...demo
      .filter((l) => l && !l.startsWith('#'))
      .slice(0, 4000)
      .map((l) => ({
        domain: l.split(',')[0],
        label: l
          .split(',')[1]
          .replace(/^Domain used by /, '')
          .split(/ DGA| \(| -/)[0],
      })),
    ...seeds.slice(0, 4000).map((d) => ({ domain: d, label: 'benign' })),
  ];
  const trained = await ml.trainClassifier(labelled, { train: { ...(preset ? ml.presetTrainOptions(preset) : {}), epochs: 1 } });
  const artifact = ml.modelToBuffer(trained.model);
  const model = await prisma.mlModel.create({
    data: {
      trainingJobId: `bench-${process.pid}-${preset ?? 'default'}`,
      status: 'PROMOTED',
      architecture: trained.model.config,
      config: {},
      labels: [...trained.model.labels],
      snapshotIds: [],
      artifact,
      artifactBytes: artifact.length,
      promotedAt: new Date(),
    },
  });
  return { model, trained };
}

/** user + system CPU seconds of a local process (fields 14 and 15 of /proc/<pid>/stat; 100 ticks/s on Linux). */
export function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of this database's client backends so far, by pid; null when the server is not
 * on this machine (its processes are not in /proc).
 */
async function backendCpu(pool) {
  const { rows } = await pool.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  try {
    return new Map(rows.map((r) => [r.pid, processCpuSeconds(r.pid)]));
  } catch {
    return null;
  }
}

/**
 * PostgreSQL's CPU seconds (this database's backends) spent while `work` ran, as
 * `{ ...result, backendCpuSeconds }` (null when the server is not local). A backend started
 * meanwhile counts whole; one that ended meanwhile is not counted.
 */
export async function withBackendCpu(pool, work) {
  const before = await backendCpu(pool);
  const result = await work();
  const after = await backendCpu(pool);
  if (!before || !after) return { ...result, backendCpuSeconds: null };
  let cpu = 0;
  for (const [pid, s] of after) cpu += s - (before.get(pid) ?? 0);
  return { ...result, backendCpuSeconds: cpu };
}
