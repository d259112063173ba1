import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { BASE_DATABASE_URL, databaseUrl, TEMPLATE_DATABASE } from './test-env';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `dgascope_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: BASE_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(name),
    async drop() {
      const c = new Client({ connectionString: BASE_DATABASE_URL });
      await c.connect();
      try {
        // An autovacuum worker busy in the database cannot be terminated by this role (42501):
        // it finishes within moments, so try again.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '42501' || attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

/** Empties every table between tests, keeping the schema. */
export async function truncateAll(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('TRUNCATE feeds, snapshots, families, domains, memberships, snapshot_family_counts, rejections RESTART IDENTITY CASCADE');
    // Snapshot ids start again at 1, so the per-snapshot partitions of memberships go too.
    await c.query(`DO $$
      DECLARE p regclass;
      BEGIN
        FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'memberships'::regclass LOOP
          EXECUTE format('DROP TABLE %s', p);
        END LOOP;
      END $$`);
  } finally {
    await c.end();
  }
}
