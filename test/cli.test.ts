import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const CLI = path.resolve(__dirname, '..', 'apps', 'api', 'dist', 'cli', 'main.js');
const DEMO = path.resolve(__dirname, '..', 'data', 'demo');

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, ...env },
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
