import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BASE_DATABASE_URL } from './support/test-env';

describe('prisma/migrations', () => {
  it('produce exactly prisma/schema.prisma (no migration missing)', async () => {
    const api = path.resolve(__dirname, '..', 'apps', 'api');
    // --exit-code: 0 = no difference, 2 = the migrations lack part of the schema.
    const run = promisify(execFile)(
      'npx',
      [
        'prisma',
        'migrate',
        'diff',
        '--from-migrations',
        '../../prisma/migrations',
        '--to-schema-datamodel',
        '../../prisma/schema.prisma',
        '--script',
        '--exit-code',
      ],
      { cwd: api, env: { ...process.env, DATABASE_URL: BASE_DATABASE_URL } },
    );
    const result = await run.then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: `${e.stdout}\n${e.stderr}` }),
    );
    expect(result.stdout).toContain('empty migration');
    expect(result.code).toBe(0);
  });
});
