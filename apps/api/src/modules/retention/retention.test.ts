import 'reflect-metadata';
import { Readable } from 'node:stream';
import type { PrismaClient } from '@prisma/client';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import type { JobContext } from '../../jobs/job-runner';
import { IngestionService } from '../ingestion/ingestion.service';
import { DeletionService } from './deletion.service';
import { prunableJobs, RetentionJob } from './retention.job';
import { createDatabase, type Database } from '../../db/database';

let db: TestDatabase;
let database: Database;
let pool: Pool;
let prisma: PrismaClient;
let s1: number;
let s2: number;
const ROWS = 25;
const day = 24 * 3600 * 1000;

const ctx = (): JobContext<'RETENTION'> => ({
  jobId: 'retention',
  attempt: 1,
  final: true,
  signal: new AbortController().signal,
  report: async () => undefined,
  children: async () => ({ values: [], failures: [] }),
});

async function job(id: string, snapshotId: number | null, ageDays: number, modelId: number, state = 'COMPLETED') {
  const at = new Date(Date.now() - ageDays * day);
  await prisma.job.create({
    data: {
      id,
      kind: 'CLASSIFICATION',
      state: state as 'COMPLETED',
      input: { modelId, snapshotId, domains: snapshotId == null ? ['x.com'] : null },
      modelId,
      createdAt: at,
      finishedAt: state === 'COMPLETED' ? at : null,
    },
  });
  await pool.query(
    `INSERT INTO predictions (job_id, model_id, domain, verdict, family, probability, dga_score, unknown_family, top3)
     SELECT $1, $2, $1 || '-' || i || '.com', 'BENIGN', 'benign', 0.9, 0.1, false, '[]'::jsonb FROM generate_series(1, $3) AS i`,
    [id, modelId, ROWS],
  );
}
const predictions = async (jobId: string) =>
  Number((await pool.query('SELECT count(*) AS n FROM predictions WHERE job_id = $1', [jobId])).rows[0].n);
const model = (id: number, status: string, snapshotIds: number[], parentId: number | null = null) =>
  prisma.mlModel.create({
    data: { id, status: status as 'READY', trainingJobId: `train-${id}`, architecture: {}, config: {}, labels: [], snapshotIds, parentId },
  });

beforeAll(async () => {
  db = await createTestDatabase();
  // the product's pool (an idle connection the teardown's DROP DATABASE ends is logged, not thrown)
  database = createDatabase(db.url, { max: 3 });
  ({ pool, prisma } = database);
  const ingestion = new IngestionService(pool, { maxBytes: 1e6 });
  const ingest = async (text: string) =>
    (
      await ingestion.ingest({
        feed: 'f',
        format: 'labelled-csv',
        source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName: 'f.csv' },
      })
    ).snapshotId;
  s1 = await ingest('family,domain\nbanjori,aaaaaaaaaa.com\nnecurs,bbbbbbbbbb.com\n');
  s2 = await ingest('family,domain\nbanjori,cccccccccc.com\nnecurs,dddddddddd.com\npykspa,eeeeeeeeee.com\n');
  await model(1, 'READY', [s1]); // trained on s1
  await model(2, 'PROMOTED', [s1]);
  await model(3, 'READY', [s1]);
  await model(4, 'READY', [s1], 3); // warm-started from 3
  // s2: four jobs, all older than the age limit; the newest is kept whatever its age.
  await job('s2-a', s2, 400, 3);
  await job('s2-b', s2, 300, 3);
  await job('s2-c', s2, 200, 3);
  await job('s2-latest', s2, 150, 3);
  // s1: four recent jobs, two kept by count; one still running.
  await job('s1-e', s1, 5, 4);
  await job('s1-f', s1, 4, 4);
  await job('s1-g', s1, 3, 4);
  await job('s1-h', s1, 2, 4);
  await job('s1-running', s1, 0, 4, 'ACTIVE');
  // lists: age only
  await job('list-old', null, 100, 4);
  await job('list-new', null, 1, 4);
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

describe('retention', () => {
  const policy = { maxAgeDays: 90, keepJobsPerSnapshot: 2, batchSize: 7 };

  it('chooses old jobs and those beyond the newest N per snapshot, never the newest of a snapshot nor unfinished jobs', async () => {
    expect((await prunableJobs(pool, policy)).sort()).toEqual(['list-old', 's1-e', 's1-f', 's2-a', 's2-b', 's2-c']);
    expect((await prunableJobs(pool, { maxAgeDays: null, keepJobsPerSnapshot: 1 })).sort()).toEqual([
      's1-e',
      's1-f',
      's1-g',
      's2-a',
      's2-b',
      's2-c',
    ]);
    expect(await prunableJobs(pool, { maxAgeDays: null, keepJobsPerSnapshot: null })).toEqual([]);
  });

  it('removes their predictions in primary-key batches, marks the jobs; a second run finds nothing', async () => {
    const { result } = await new RetentionJob(pool).run(policy, ctx());
    expect(result).toEqual({ jobsPruned: 6, predictionsDeleted: 6 * ROWS });
    for (const id of ['list-old', 's1-e', 's1-f', 's2-a', 's2-b', 's2-c']) expect(await predictions(id)).toBe(0);
    for (const id of ['list-new', 's1-g', 's1-h', 's1-running', 's2-latest']) expect(await predictions(id)).toBe(ROWS);
    const marked = await prisma.job.findMany({ where: { predictionsRemovedAt: { not: null } }, select: { id: true } });
    expect(marked.map((j) => j.id).sort()).toEqual(['list-old', 's1-e', 's1-f', 's2-a', 's2-b', 's2-c']);
    expect((await prisma.job.findUnique({ where: { id: 's2-a' } }))!.state).toBe('COMPLETED');
    expect((await new RetentionJob(pool).run(policy, ctx())).result).toEqual({ jobsPruned: 0, predictionsDeleted: 0 });
  });
});

describe('deleteSnapshot / deleteModel', () => {
  const deletion = () => new DeletionService(prisma, pool, 4);
  const reason = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { reason?: string; message: string }) => `${e.reason}: ${e.message}`,
    );

  it('refuses a snapshot that models were trained on or a running job uses', async () => {
    expect(await reason(deletion().deleteSnapshot(s1, true))).toMatch(/^SNAPSHOT_IN_USE: .*model\(s\) 1, 2, 3, 4/);
    expect(await reason(deletion().deleteSnapshot(12345, false))).toMatch(/^SNAPSHOT_NOT_FOUND/);
  });

  it('gives up, deleting nothing, when the listings table stays busy', async () => {
    const s3 = (
      await new IngestionService(pool, { maxBytes: 1e6 }).ingest({
        feed: 'g',
        format: 'labelled-csv',
        source: { kind: 'stream', stream: Readable.from([Buffer.from('family,domain\nbanjori,ffffffffff.com\n')]), fileName: 'g.csv' },
      })
    ).snapshotId;
    const reader = await pool.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM memberships');
      const busy = new DeletionService(prisma, pool, 4, 200);
      expect(await reason(busy.deleteSnapshot(s3, false))).toMatch(
        /^SNAPSHOT_BUSY: snapshot \d+: the listings table stayed busy for 0.2 s/,
      );
    } finally {
      await reader.query('ROLLBACK');
      reader.release();
    }
    expect(await prisma.snapshot.findUnique({ where: { id: s3 } })).not.toBeNull();
    expect(Number((await pool.query('SELECT count(*) AS n FROM memberships WHERE snapshot_id = $1', [s3])).rows[0].n)).toBe(1);
    expect(await deletion().deleteSnapshot(s3, false)).toEqual({ id: s3, predictionsDeleted: 0, jobsPruned: 0 });
  });

  it('refuses a snapshot with predictions unless asked to delete them, then deletes it all', async () => {
    expect(await reason(deletion().deleteSnapshot(s2, false))).toMatch(/^SNAPSHOT_HAS_PREDICTIONS: bulk job\(s\) s2-latest/);
    const out = await deletion().deleteSnapshot(s2, true);
    expect(out).toEqual({ id: s2, predictionsDeleted: ROWS, jobsPruned: 1 });
    expect(await prisma.snapshot.findUnique({ where: { id: s2 } })).toBeNull();
    expect(Number((await pool.query('SELECT count(*) AS n FROM memberships WHERE snapshot_id = $1', [s2])).rows[0].n)).toBe(0);
    // Its listings were its partition: dropped, not emptied; the other snapshot's stays.
    const partition = async (id: number) =>
      (await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`memberships_${id}`])).rows[0]!.t;
    expect(await partition(s2)).toBeNull();
    expect(await partition(s1)).toBe(`memberships_${s1}`);
    expect(Number((await pool.query('SELECT count(*) AS n FROM memberships WHERE snapshot_id = $1', [s1])).rows[0].n)).toBe(2);
    expect(await prisma.snapshotFamilyCount.count({ where: { snapshotId: s2 } })).toBe(0);
    expect(await prisma.job.findUnique({ where: { id: 's2-latest' } })).toMatchObject({ state: 'COMPLETED' });
    expect(await prisma.snapshot.findUnique({ where: { id: s1 } })).not.toBeNull();
  });

  it('refuses a promoted model, a parent of another, one a running job uses, one with predictions unless asked', async () => {
    expect(await reason(deletion().deleteModel(2, false))).toMatch(/^MODEL_IN_USE: model 2 is promoted/);
    expect(await reason(deletion().deleteModel(3, true))).toMatch(/^MODEL_IN_USE: model\(s\) 4 were warm-started from model 3/);
    expect(await reason(deletion().deleteModel(4, true))).toMatch(/^MODEL_IN_USE: bulk job\(s\) s1-running still use model 4/);
    await prisma.job.update({ where: { id: 's1-running' }, data: { state: 'CANCELLED' } });
    expect(await reason(deletion().deleteModel(4, false))).toMatch(/^MODEL_HAS_PREDICTIONS: /);
    const out = await deletion().deleteModel(4, true);
    expect(out.predictionsDeleted).toBe(4 * ROWS); // s1-g, s1-h, s1-running (cancelled), list-new
    expect(await prisma.mlModel.findUnique({ where: { id: 4 } })).toBeNull();
    expect((await prisma.job.findUnique({ where: { id: 's1-g' } }))!.modelId).toBeNull();
    expect(await deletion().deleteModel(1, false)).toEqual({ id: 1, predictionsDeleted: 0, jobsPruned: 0 });
  });
});
