// How every benchmark reports: the machine's load average around each measured run, the
// median of repeated runs, and a dated JSON of everything measured under bench/history/.
// bench/history/ is committed (bench/results/ and bench/.cache/ are not): docs/performance.md
// cites those files as the history of each figure, and a rerun adds a file instead of
// overwriting the last one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const historyDir = path.join(root, 'bench', 'history');

/** 1, 5 and 15-minute load averages, e.g. "1.52 1.10 0.80". */
export function loadAverage() {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** The middle value (the lower of the two middle ones for an even count), ignoring null. */
export function median(values) {
  const sorted = values.filter((v) => v != null && !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}

/** Number of repetitions from `--reps N` (default 3). */
export function repetitions(argv = process.argv, fallback = 3) {
  const i = argv.indexOf('--reps');
  const n = i > 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--reps must be a positive integer, got ${argv[i + 1]}`);
  return n;
}

/**
 * Runs `measure(rep)` `reps` times, one after the other, printing the load average before and
 * after each; returns the runs as `{ rep, loadBefore, loadAfter, ...result }`.
 */
export async function repeat(reps, label, measure) {
  const runs = [];
  for (let rep = 1; rep <= reps; rep++) {
    const loadBefore = loadAverage();
    console.log(`[${label}] run ${rep}/${reps}, load average before: ${loadBefore}`);
    const result = await measure(rep);
    const loadAfter = loadAverage();
    console.log(`[${label}] run ${rep}/${reps}, load average after: ${loadAfter}`);
    runs.push({ rep, loadBefore, loadAfter, ...result });
  }
  return runs;
}

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+uncommitted` : sha;
  } catch {
    return null;
  }
}

/**
 * Writes `bench/history/<bench>-<UTC date and time>.json` (or `out` when given) with the
 * machine, the commit, the settings, every run and the medians; returns the path written.
 */
export function writeHistory(bench, { startedAt, settings, runs, medians, out }) {
  const stamp = startedAt.toISOString().slice(0, 16).replace(':', '');
  const file = out ?? path.join(historyDir, `${bench}-${stamp}Z.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  const record = {
    bench,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
    },
    settings,
    medians,
    runs,
  };
  writeFileSync(file, JSON.stringify(record, null, 1) + '\n');
  console.log(`[${bench}] written ${path.relative(process.cwd(), file)}`);
  return file;
}
