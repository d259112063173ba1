import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { Pool } from 'pg';

export interface Database {
  /** Shared by Prisma (through its driver adapter) and the bulk paths that need COPY. */
  pool: Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export function createDatabase(databaseUrl: string, options: { max?: number; statementTimeoutMs?: number } = {}): Database {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    // The API's statements stop when nobody waits for them any more (STATEMENT_TIMEOUT_MS);
    // long ingestion statements lift it for their own transaction (SET LOCAL).
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => console.error('postgres pool error:', err.message));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
