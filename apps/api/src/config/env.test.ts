import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('refuses the placeholder ADMIN_API_KEY of .env.example beyond loopback, and accepts it on loopback', () => {
    const placeholder = { ...valid, ADMIN_API_KEY: 'change-me-to-a-long-random-string' };
    expect(loadEnv(placeholder).ADMIN_API_KEY).toBe('change-me-to-a-long-random-string');
    expect(() => loadEnv({ ...placeholder, HOST: '0.0.0.0' })).toThrow(
      /^Invalid environment variable ADMIN_API_KEY: still the placeholder of \.env\.example while HOST=0\.0\.0\.0/,
    );
    expect(loadEnv({ ...valid, HOST: '0.0.0.0', ADMIN_API_KEY: 'a-real-random-key-0123456789' }).HOST).toBe('0.0.0.0');
  });

  it('writes a random ADMIN_API_KEY into .env on first run (scripts/ensure-env.sh), and only once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dgascope-env-'));
    copyFileSync(path.resolve(__dirname, '..', '..', '..', '..', '.env.example'), path.join(dir, '.env.example'));
    const script = path.resolve(__dirname, '..', '..', '..', '..', 'scripts', 'ensure-env.sh');
    const keyOf = () => /^ADMIN_API_KEY=(.*)$/m.exec(readFileSync(path.join(dir, '.env'), 'utf8'))![1]!;
    await promisify(execFile)('bash', [script, dir]);
    const key = keyOf();
    expect(key).not.toBe('change-me-to-a-long-random-string');
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await promisify(execFile)('bash', [script, dir]);
    expect(keyOf()).toBe(key);
    // An existing .env that still holds the placeholder gets a key too.
    writeFileSync(path.join(dir, '.env'), 'ADMIN_API_KEY=change-me-to-a-long-random-string\nPORT=4000\n');
    await promisify(execFile)('bash', [script, dir]);
    expect(keyOf()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toContain('PORT=4000');
  });

  it('makes the API process exit at once with that one line', async () => {
    const main = path.resolve(__dirname, '..', '..', 'dist', 'main.js');
    // No .env either: the one `npm run demo` leaves in the repository would otherwise supply DATABASE_URL.
    const run = promisify(execFile)(process.execPath, [main], {
      env: { PATH: process.env.PATH, REDIS_URL: valid.REDIS_URL, DGASCOPE_ENV_FILE: 'none' },
    });
    const error = (await run.catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr.trim()).toBe('Invalid environment variable DATABASE_URL: is not set');
  });
});
