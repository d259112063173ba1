import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';

const valid = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadEnv', () => {
  it('parses a valid environment with defaults', () => {
    const env = loadEnv(valid);
    expect(env).toMatchObject({ PORT: 4000, HOST: '127.0.0.1', REQUIRE_AUTH: false, INGEST_ALLOWED_DIRS: [] });
  });

  it('requires auth for queries by default when listening beyond loopback', () => {
    expect(loadEnv({ ...valid, HOST: '0.0.0.0' }).REQUIRE_AUTH).toBe(true);
    expect(loadEnv({ ...valid, HOST: '0.0.0.0', REQUIRE_AUTH: 'false' }).REQUIRE_AUTH).toBe(false);
  });

  it.each([
    [{ REDIS_URL: valid.REDIS_URL }, 'Invalid environment variable DATABASE_URL: is not set'],
    [{ ...valid, DATABASE_URL: 'mysql://x/y' }, 'Invalid environment variable DATABASE_URL: must look like postgresql://'],
    [{ DATABASE_URL: valid.DATABASE_URL }, 'Invalid environment variable REDIS_URL: is not set'],
    [{ ...valid, REDIS_URL: 'localhost:6379' }, 'Invalid environment variable REDIS_URL: must look like redis://'],
    [{ ...valid, ADMIN_API_KEY: 'short' }, 'Invalid environment variable ADMIN_API_KEY: must be at least 16 characters'],
    [{ ...valid, PORT: 'eighty' }, 'Invalid environment variable PORT:'],
  ])('fails with one line naming the variable (%#)', (source, message) => {
    expect(() => loadEnv(source)).toThrow(message);
  });

  it('makes the API process exit at once with that one line', async () => {
    const main = path.resolve(__dirname, '..', '..', 'dist', 'main.js');
    const run = promisify(execFile)(process.execPath, [main], { env: { PATH: process.env.PATH, REDIS_URL: valid.REDIS_URL } });
    const error = (await run.catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr.trim()).toBe('Invalid environment variable DATABASE_URL: is not set');
  });
});
