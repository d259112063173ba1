import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the test suites find PostgreSQL and Redis: the same defaults as scripts/services.sh. */
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://dgascope:dgascope@127.0.0.1:5432/dgascope';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Hash of prisma/migrations: checkouts with different migrations (branches, worktrees) sharing one PostgreSQL never clobber each other's template. */
export function migrationsHash(): string {
  const dir = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');
  const hash = createHash('sha256');
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (entry.endsWith('.sql')) hash.update(entry).update(readFileSync(path.join(dir, entry)));
  }
  return hash.digest('hex').slice(0, 16);
}
export const TEMPLATE_DATABASE = `dgascope_test_template_${migrationsHash()}`;
export const ADMIN_KEY = 'test-admin-key-0123456789';

export function databaseUrl(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** ../shared/data, beside the project root. Tests may read it; the product never does. */
export const SHARED_DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
