import 'reflect-metadata';
import type { ClassifyResult } from '@dgascope/ml';
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

describe('PredictionsService.write', () => {
  const classified = (normalized: string, fields: Partial<Extract<ClassifyResult, { ok: true }>> = {}): ClassifyResult => ({
    ok: true,
    domain: normalized.toUpperCase(),
    normalized,
    input: normalized,
    verdict: 'dga',
    family: 'necurs',
    probability: 0.75,
    nearestFamily: 'necurs',
    top3: [
      { family: 'necurs', probability: 0.625 },
      { family: 'benign', probability: 0.25 },
      // a float32 of the model's output, as a double: stored as the float32 it is, to 9 digits
      { family: 'ramnit', probability: Math.fround(0.1) },
    ],
    dgaScore: 0.875,
    novelty: 1.5,
    unknownFamily: false,
    ...fields,
  });
  const stored = async (jobId: string) =>
    (
      await pool.query(
        `SELECT domain, model_id AS "modelId", verdict, family, probability, nearest_family AS "nearestFamily", dga_score AS "dgaScore",
                novelty, unknown_family AS "unknownFamily", top3
         FROM predictions WHERE job_id = $1 ORDER BY domain`,
        [jobId],
      )
    ).rows;

  it('stores every field as classified, labels with the characters COPY escapes too, and skips the invalid names', async () => {
    const odd = 'we\\ird\t"fam"\nily\r';
    await service.write('fields', 7, [
      classified('a.example'),
      { ok: false, domain: 'bad name', error: 'invalid character' },
      classified('b.example', {
        verdict: 'benign',
        family: 'benign',
        probability: 0.25,
        nearestFamily: null,
        novelty: null,
        top3: [
          { family: odd, probability: 0.5 },
          { family: 'necurs', probability: Number.NaN },
        ],
      }),
      classified('c.example', { family: odd, nearestFamily: odd, unknownFamily: true, probability: Number.NaN, top3: [] }),
    ]);
    expect(await stored('fields')).toEqual([
      {
        domain: 'a.example',
        modelId: 7,
        verdict: 'DGA',
        family: 'necurs',
        probability: 0.75,
        nearestFamily: 'necurs',
        dgaScore: 0.875,
        novelty: 1.5,
        unknownFamily: false,
        top3: [
          { family: 'necurs', probability: 0.625 },
          { family: 'benign', probability: 0.25 },
          { family: 'ramnit', probability: 0.100000001 },
        ],
      },
      {
        domain: 'b.example',
        modelId: 7,
        verdict: 'BENIGN',
        family: 'benign',
        probability: 0.25,
        nearestFamily: null,
        dgaScore: 0.875,
        novelty: null,
        unknownFamily: false,
        top3: [
          { family: odd, probability: 0.5 },
          { family: 'necurs', probability: null },
        ],
      },
      {
        domain: 'c.example',
        modelId: 7,
        verdict: 'DGA',
        family: odd,
        probability: Number.NaN,
        nearestFamily: odd,
        dgaScore: 0.875,
        novelty: 1.5,
        unknownFamily: true,
        top3: [],
      },
    ]);
  });

  it('keeps what the job already has: a retried batch, and a name a list has twice, are stored once', async () => {
    // Batches of thousands of names: sent to PostgreSQL in several chunks.
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => classified(`n${from + i}.example`));
    await service.write('retried', 1, names(0, 5000));
    await service.write('retried', 1, [...names(2500, 7500), classified('n7000.example', { family: 'other' })]);
    const rows = await stored('retried');
    expect(rows).toHaveLength(7500);
    expect(new Set(rows.map((r) => r.domain)).size).toBe(7500);
    expect(rows.every((r) => r.family === 'necurs')).toBe(true);
    // A name twice in the first batch of a job: the first one is kept.
    await service.write('twice', 1, [...names(0, 3000), classified('n10.example', { family: 'other' }), ...names(3000, 3100)]);
    const twice = await stored('twice');
    expect(twice).toHaveLength(3100);
    expect(twice.every((r) => r.family === 'necurs')).toBe(true);
  });

  it('stores all of a batch or none of it, by COPY or through the stage, and the next batches whole', async () => {
    await service.write('atomic', 1, [classified('known.example')]);
    await pool.query(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF NEW.domain = 'refused.example' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`);
    await pool.query('CREATE TRIGGER test_refuse BEFORE INSERT ON predictions FOR EACH ROW EXECUTE FUNCTION test_refuse()');
    try {
      await expect(service.write('atomic', 1, [classified('kept.example'), classified('refused.example')])).rejects.toThrow('refused');
      // a domain the job has: written through the stage, which fails as a whole too
      await expect(
        service.write('atomic', 1, [classified('known.example'), classified('kept.example'), classified('refused.example')]),
      ).rejects.toThrow('refused');
      expect((await stored('atomic')).map((r) => r.domain)).toEqual(['known.example']);
    } finally {
      await pool.query('DROP TRIGGER test_refuse ON predictions');
      await pool.query('DROP FUNCTION test_refuse()');
    }
    // Nothing of the failed batches is left behind anywhere (a connection's stage included).
    await Promise.all([
      service.write('atomic', 1, [classified('known.example'), classified('one.example')]),
      service.write('atomic', 1, [classified('two.example')]),
    ]);
    expect((await stored('atomic')).map((r) => r.domain)).toEqual(['known.example', 'one.example', 'two.example']);
  });
});
