import 'reflect-metadata';
import type { PrismaClient } from '@prisma/client';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { SnapshotDomains } from '../snapshots/snapshot-domains';
import { PredictionsService } from './predictions.service';
import { createDatabase, type Database } from '../../db/database';

let db: TestDatabase;
let database: Database;
let pool: Pool;
let prisma: PrismaClient;
let service: PredictionsService;

beforeAll(async () => {
  db = await createTestDatabase();
  // the product's pool (an idle connection the teardown's DROP DATABASE ends is logged, not thrown)
  database = createDatabase(db.url, { max: 2 });
  ({ pool, prisma } = database);
  service = new PredictionsService(prisma, pool, new SnapshotDomains(pool));
  // Three bulk jobs: one completed, one still running, one failed; one training job that is
  // complete (its id must not let anything through either).
  for (const [id, kind, state] of [
    ['done', 'CLASSIFICATION', 'COMPLETED'],
    ['running', 'CLASSIFICATION', 'ACTIVE'],
    ['failed', 'CLASSIFICATION', 'FAILED'],
    ['trained', 'TRAINING', 'COMPLETED'],
  ] as const)
    await prisma.job.create({ data: { id, kind, state, input: {} } });
  await pool.query(
    `INSERT INTO predictions (job_id, model_id, domain, verdict, family, probability, dga_score, unknown_family, top3)
     SELECT job, 1, job || '-' || i || '.com',
            CASE WHEN i % 2 = 0 THEN 'DGA' ELSE 'BENIGN' END::"Verdict",
            CASE WHEN i % 10 = 0 THEN 'unknownFamily' WHEN i % 2 = 0 THEN 'necurs' ELSE 'benign' END,
            0.9, CASE WHEN i % 2 = 0 THEN 0.95 ELSE 0.05 END, i % 10 = 0, '[]'::jsonb
     FROM unnest(ARRAY['done', 'running', 'failed', 'trained']) AS job, generate_series(1, 30) AS i`,
  );
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

describe('PredictionsService.list', () => {
  it('lists only completed bulk jobs, newest first, page by page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await service.list({}, 7, after);
      seen.push(...page.nodes.map((p) => p.domain));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(30);
    expect(seen.every((d) => d.startsWith('done-'))).toBe(true);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `done-${30 - i}.com`));
  });

  it("shows a job's own predictions when asked for that job, whatever its state", async () => {
    const page = await service.list({ jobId: 'running', family: 'necurs' }, 100);
    expect(page.nodes.map((p) => p.domain)).toEqual([28, 26, 24, 22, 18, 16, 14, 12, 8, 6, 4, 2].map((i) => `running-${i}.com`));
  });

  it('filters by verdict and by unknown family', async () => {
    const dga = await service.list({ verdict: 'DGA' }, 100);
    expect(dga.nodes).toHaveLength(15);
    expect(dga.nodes.every((p) => p.verdict === 'DGA' && p.family !== 'benign')).toBe(true);
    const benign = await service.list({ verdict: 'BENIGN' }, 100);
    expect(benign.nodes.map((p) => p.family)).toEqual(Array(15).fill('benign'));
    const unknown = await service.list({ unknownFamily: true }, 100);
    expect(unknown.nodes.map((p) => [p.domain, p.verdict, p.family])).toEqual([
      ['done-30.com', 'DGA', 'unknownFamily'],
      ['done-20.com', 'DGA', 'unknownFamily'],
      ['done-10.com', 'DGA', 'unknownFamily'],
    ]);
  });
});
