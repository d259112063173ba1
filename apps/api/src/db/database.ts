import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { Pool } from 'pg';

export interface Database {
  /** Shared by Prisma (through its driver adapter) and the bulk paths that need COPY. */
  pool: Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export function createDatabase(databaseUrl: string, options: { max?: number } = {}): Database {
  const pool = new Pool({ connectionString: databaseUrl, max: options.max ?? 10 });
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
