import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { BASE_DATABASE_URL, databaseUrl, migrationsHash, TEMPLATE_DATABASE } from './test-env';

const root = path.resolve(__dirname, '..', '..');

/**
 * Migrates a template database once with Prisma's own `migrate deploy`; every test file
 * then clones it (CREATE DATABASE … TEMPLATE), which takes well under a second. The template is
 * named after the migrations' hash, so checkouts with other migrations keep their own.
 */
export default async function setup(): Promise<void> {
  const admin = new Client({ connectionString: BASE_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Tests need PostgreSQL at ${BASE_DATABASE_URL} (run scripts/services.sh): ${(err as Error).message}`);
  }
  try {
    const wanted = migrationsHash();
    const current = await admin.query<{ comment: string | null }>(
      'SELECT shobj_description(oid, $2) AS comment FROM pg_database WHERE datname = $1',
      [TEMPLATE_DATABASE, 'pg_database'],
    );
    if (current.rows[0]?.comment === wanted) return;
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
    execFileSync('npx', ['prisma', 'migrate', 'deploy'], {
      cwd: path.join(root, 'apps', 'api'),
      env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DATABASE) },
      stdio: 'pipe',
    });
    await admin.query(`COMMENT ON DATABASE ${TEMPLATE_DATABASE} IS '${wanted}'`);
  } finally {
    await admin.end();
  }
}
