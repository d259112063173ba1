import { execFile } from 'node:child_process';
import path from 'node:path';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { initBackend, modelToBuffer, trainClassifier } from '@dgascope/ml';
import { decisionColumns } from '@dgascope/api/src/modules/models/decision-columns';
import { createDatabase } from '@dgascope/api/src/db/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { REDIS_URL } from './support/test-env';

const CLI = path.resolve(__dirname, '..', 'apps', 'api', 'dist', 'cli', 'main.js');
const DEMO = path.resolve(__dirname, '..', 'data', 'demo');

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

// A developer's own .env is not read by the tests (DGASCOPE_ENV_FILE=none), except where a test says so.
async function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DGASCOPE_ENV_FILE: 'none', DATABASE_URL: db.url, ...env },
      ...(cwd ? { cwd } : {}),
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('dgascope CLI', () => {
  it('ingests a zipped top list, then recognises it as already ingested', async () => {
    const file = path.join(DEMO, 'umbrella-top30k-2026-07-06.csv.zip');
    const first = await cli(['ingest', file, '--feed', 'umbrella', '--taken-at', '2026-07-06', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: true, format: 'rank-csv', rowsAccepted: 30000, rowsRejected: 0 });
    const second = await cli(['ingest', file, '--feed', 'umbrella']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already ingested for feed "umbrella" as snapshot 1; nothing added/);
  });

  it('prints the unseen-family report and the skew', async () => {
    await cli(['ingest', path.join(DEMO, 'dga-feed-high-2018-10-14.csv.gz'), '--feed', 'high']);
    await cli(['ingest', path.join(DEMO, 'dga-feed-2018-12-31.csv.gz'), '--feed', 'full']);
    const unseen = await cli(['unseen', '2', '3']);
    expect(unseen.code).toBe(0);
    expect(unseen.stdout).toMatch(/In 3, absent from 2: \d+ families/);
    expect(unseen.stdout).toMatch(/banjori/);
    const skew = await cli(['skew', '1', '--top', '1']);
    expect(skew.stdout).toMatch(/^30000 domains in 1 families/);
  });

  it('classifies with the promoted model: verdict, family and DGA score, by its thresholds or the ones given', async () => {
    const none = await cli(['classify', 'google.com']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no model is promoted/);
    // A real (tiny) model, trained here and stored as the training job stores one.
    await initBackend({ backend: 'wasm' });
    const samples = Array.from({ length: 160 }, (_, i) => ({
      domain: i % 2 ? `${'qxzvk'.repeat(1 + (i % 3))}${i}.com` : `shop${i}.org`,
      label: i % 2 ? (i % 4 === 1 ? 'alpha' : 'beta') : 'benign',
    }));
    const { model } = await trainClassifier(samples, {
      train: {
        architecture: { embeddingDim: 8, lstmUnits: 8 },
        epochs: 1,
        batchSize: 32,
        preset: 'endgame-2016',
        decision: { novelty: 'max-softmax' },
      },
    });
    const artifact = new Uint8Array(modelToBuffer(model));
    const database = createDatabase(db.url, { max: 1 });
    try {
      await database.prisma.mlModel.create({
        data: {
          trainingJobId: 'cli-test',
          status: 'PROMOTED',
          architecture: {},
          config: {},
          labels: [...model.labels],
          snapshotIds: [],
          artifact,
          artifactBytes: artifact.length,
          ...decisionColumns(model),
        },
      });
    } finally {
      await database.close();
    }
    const expected = model.classify(['google.com', 'qxzvkqxzvk7.com']);
    model.dispose();
    const r = await cli(['classify', 'google.com', 'qxzvkqxzvk7.com', 'bad name!']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^model \d+$/);
    expect(lines[1]).toMatch(/^domain\s+verdict\s+family\s+dgaScore$/);
    for (const [i, e] of expected.entries()) {
      if (!e.ok) throw new Error('expected a valid name');
      expect(lines[2 + i]!.split(/\s+/)).toEqual([e.domain, e.verdict, e.family, e.dgaScore.toFixed(4)]);
    }
    expect(lines[4]).toMatch(/^bad name!\s+invalid\s+/);
    // Overrides: everything DGA at threshold 0, everything benign at 1; JSON has the whole answer.
    const all = JSON.parse((await cli(['classify', 'google.com', 'qxzvkqxzvk7.com', '--dga-threshold', '0', '--json'])).stdout);
    expect(all.map((a: { verdict: string }) => a.verdict)).toEqual(['DGA', 'DGA']);
    expect(all[0]).toMatchObject({ domain: 'google.com', normalized: 'google.com', unknownFamily: expect.any(Boolean) });
    const benign = await cli(['classify', 'google.com', 'qxzvkqxzvk7.com', '--dga-threshold', '1']);
    expect(benign.stdout).not.toMatch(/\bdga\b/);
    const known = JSON.parse((await cli(['classify', 'qxzvkqxzvk7.com', '--dga-threshold', '0', '--no-unknown-family', '--json'])).stdout);
    expect(known[0]).toMatchObject({ verdict: 'DGA', unknownFamily: false });
    const unknown = JSON.parse(
      (await cli(['classify', 'qxzvkqxzvk7.com', '--dga-threshold', '0', '--novelty-threshold', '-1', '--json'])).stdout,
    );
    expect(unknown[0]).toMatchObject({ verdict: 'DGA', unknownFamily: true, family: 'unknownFamily' });
    // The registry listing shows preset, loss and thresholds.
    const models = await cli(['models']);
    expect(models.stdout).toMatch(
      /promoted\s+preset endgame-2016\s+loss cross-entropy\s+dga ≥ [\d.]+ \(target FPR 0\.001, (quantile|tail), \d+ benign, prior uniform-families\)\s+novelty max-softmax > [-\d.e]+/,
    );
  });

  it('reads .env like every entry point: the environment over the file, found from the current directory upwards', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dgascope-env-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, '.env'), `# as written by scripts/ensure-env.sh\nDATABASE_URL=${db.url}\n`);
    const withFile = { PATH: process.env.PATH ?? '' };
    const fromFile = await cli(['unseen', '1', '2'], { ...withFile, DGASCOPE_ENV_FILE: '', DATABASE_URL: '' }, path.join(dir, 'sub'));
    // An empty DATABASE_URL in the environment still wins over the file: it is set.
    expect(fromFile.stderr.trim()).toBe('error: Invalid environment variable DATABASE_URL: is not set');
    const onlyFile = await promisify(execFile)(process.execPath, [CLI, 'unseen', '1', '1'], { env: withFile, cwd: path.join(dir, 'sub') });
    expect(onlyFile.stdout).toMatch(/^In 1, absent from 1: 0 families/);
    const envWins = await cli(['unseen', '1', '1'], { DGASCOPE_ENV_FILE: '', DATABASE_URL: 'not-a-url' }, dir);
    expect(envWins.stderr.trim()).toMatch(/^error: Invalid environment variable DATABASE_URL: must look like/);
  });

  it('fails with one clear line for a missing file, a bad option or a bad environment', async () => {
    const missing = await cli(['ingest', '/no/such/file.csv', '--feed', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('error: /no/such/file.csv: no such file');
    const format = await cli(['ingest', 'x.csv', '--feed', 'x', '--format', 'xml']);
    expect(format.code).not.toBe(0);
    expect(format.stderr).toMatch(/option '--format <format>' argument 'xml' is invalid/);
    const env = await cli(['skew', '1'], { DATABASE_URL: 'not-a-url' });
    expect(env.code).toBe(1);
    expect(env.stderr.trim()).toBe(
      'error: Invalid environment variable DATABASE_URL: must look like postgresql://user:password@host:5432/database',
    );
  });
});

describe('dgascope CLI: feed schedules, retention, deletion', () => {
  const queues = { REDIS_URL, QUEUE_PREFIX: `test-cli-${process.pid}`, FEED_PULL_MIN_INTERVAL_S: '1' };

  it('sets, lists, pauses, resumes and removes a schedule, and queues a pull now (audited)', async () => {
    const noRedis = await cli(['feeds', 'list']);
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toMatch(/REDIS_URL: is not set/);
    const bad = await cli(
      ['feeds', 'schedule', 'mirror', '--url', 'https://feeds.example.org/dga.csv', '--kind', 'DGA', '--cron', 'nope'],
      queues,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cron: "nope" is not a cron pattern/);
    const set = await cli(
      ['feeds', 'schedule', 'mirror', '--url', 'https://feeds.example.org/dga.csv', '--kind', 'DGA', '--cron', '15 * * * *'],
      queues,
    );
    expect(set.stderr).toBe('');
    expect(set.stdout).toMatch(
      /feed "mirror": pulled at "15 \* \* \* \*" \(UTC\) from https:\/\/feeds\.example\.org\/dga\.csv; next pull \d{4}-\d\d-\d\d \d\d:15:00/,
    );
    const list = JSON.parse((await cli(['feeds', 'list', '--json'], queues)).stdout) as Array<{
      name: string;
      schedule: string;
      paused: boolean;
    }>;
    expect(list.find((f) => f.name === 'mirror')).toMatchObject({ schedule: '15 * * * *', paused: false });
    expect((await cli(['feeds', 'pause', 'mirror'], queues)).stdout).toMatch(/feed "mirror": paused/);
    expect((await cli(['feeds', 'resume', 'mirror'], queues)).stdout).toMatch(/feed "mirror": resumed, next pull/);
    expect((await cli(['feeds', 'pull', 'mirror'], queues)).stdout).toMatch(/queued pull of "mirror" as job [0-9a-f-]{36}/);
    expect((await cli(['feeds', 'unschedule', 'mirror'], queues)).stdout).toMatch(/feed "mirror": not scheduled/);
    expect((await cli(['feeds', 'list'], queues)).stdout).toMatch(/mirror\s+dga\s+not scheduled/);
    const audit = createDatabase(db.url);
    const actions = await audit.prisma.auditEntry.findMany({
      where: { via: 'cli' },
      orderBy: { id: 'asc' },
      select: { action: true, outcome: true },
    });
    await audit.close();
    expect(actions.filter((a) => /Feed|pull/.test(a.action)).map((a) => `${a.action}:${a.outcome}`)).toEqual([
      'setFeedSchedule:BAD_USER_INPUT',
      'setFeedSchedule:ok',
      'pauseFeedSchedule:ok',
      'resumeFeedSchedule:ok',
      'pullFeedNow:ok',
      'removeFeedSchedule:ok',
    ]);
  });

  it('queues retention and deletes a snapshot, refusing what is referenced', async () => {
    expect((await cli(['retention'], queues)).stdout).toMatch(/queued retention as job .* \(max age 90 days, keep 5 jobs per snapshot\)/);
    const missing = await cli(['delete-snapshot', '9999'], queues);
    expect(missing.stderr).toMatch(/snapshot 9999 not found/);
    const ok = await cli(['delete-snapshot', '1'], queues);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/deleted snapshot 1/);
  });
});
