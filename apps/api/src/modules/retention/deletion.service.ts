import { JobState, ModelStatus, type PrismaClient } from '@prisma/client';
import type { Pool } from 'pg';
import { AppError } from '../../errors/app-error';
import { membershipPartition } from '../ingestion/snapshot-merge';
import { BatchedDelete } from './batched-delete';

export interface DeletionOutcome {
  id: number;
  /** Predictions removed with it (only when asked for). */
  predictionsDeleted: number;
  /** Bulk-classification jobs whose predictions went (their rows and results stay). */
  jobsPruned: number;
}

const OPEN: JobState[] = [JobState.QUEUED, JobState.ACTIVE];
const list = (ids: Array<number | string>, max = 10) =>
  `${ids.slice(0, max).join(', ')}${ids.length > max ? ` and ${ids.length - max} more` : ''}`;

/**
 * Explicit deletion of snapshots and models, which retention never removes. Each refuses while
 * something still rests on what it would delete, saying what: models trained on a snapshot,
 * jobs still running, a promoted model, models warm-started from one. Predictions made from a
 * snapshot or by a model are removed with it only when the caller says so.
 */
export class DeletionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: Pool,
    private readonly batchSize = 10_000,
    /** How long deleting a snapshot waits for the listings table (see deleteSnapshot). */
    private readonly lockWaitMs = 5_000,
  ) {}

  async deleteSnapshot(id: number, withPredictions: boolean): Promise<DeletionOutcome> {
    const snapshot = await this.prisma.snapshot.findUnique({ where: { id }, select: { id: true } });
    if (!snapshot) throw new AppError('NOT_FOUND', 'SNAPSHOT_NOT_FOUND', `snapshot ${id} not found`);
    const models = await this.prisma.mlModel.findMany({
      where: { snapshotIds: { has: id } },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    if (models.length > 0)
      throw new AppError(
        'CONFLICT',
        'SNAPSHOT_IN_USE',
        `snapshot ${id} is the training data of model(s) ${list(models.map((m) => m.id))}; delete those models first`,
      );
    const jobs = await this.pool.query<{ id: string; state: JobState; kind: string; has_predictions: boolean }>(
      `SELECT id, state, kind, (kind = 'CLASSIFICATION' AND predictions_removed_at IS NULL
                                AND EXISTS (SELECT 1 FROM predictions p WHERE p.job_id = jobs.id)) AS has_predictions
       FROM jobs
       WHERE (kind = 'CLASSIFICATION' AND input->>'snapshotId' = $1::text)
          OR (kind = 'TRAINING' AND input->'snapshotIds' @> to_jsonb(ARRAY[$1::int]))`,
      [id],
    );
    const open = jobs.rows.filter((j) => OPEN.includes(j.state));
    if (open.length > 0)
      throw new AppError(
        'CONFLICT',
        'SNAPSHOT_IN_USE',
        `job(s) ${list(open.map((j) => j.id))} still use snapshot ${id}; cancel them or wait`,
      );
    const withPreds = jobs.rows.filter((j) => j.has_predictions).map((j) => j.id);
    if (withPreds.length > 0 && !withPredictions)
      throw new AppError(
        'CONFLICT',
        'SNAPSHOT_HAS_PREDICTIONS',
        `bulk job(s) ${list(withPreds)} hold predictions of snapshot ${id}; give withPredictions: true to delete them too`,
      );
    const deleter = new BatchedDelete(this.pool, this.batchSize);
    const predictionsDeleted = await this.pruneJobs(deleter, withPreds);
    // The snapshot row (its counts, rejections and evaluations go with it by their foreign keys)
    // and its listings, which are its own partition of memberships: all in one transaction, so a
    // failure leaves the snapshot whole. Dropping the partition is instant whatever its size, but
    // needs memberships to itself: it waits for its readers and an ingestion's merge, and while it
    // waits every new reader queues behind it, so it gives up after a few seconds instead.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '${Math.floor(this.lockWaitMs)}ms'`);
      await client.query('UPDATE feeds SET last_pull_snapshot_id = NULL WHERE last_pull_snapshot_id = $1', [id]);
      await client.query('DELETE FROM snapshots WHERE id = $1', [id]);
      await client.query(`DROP TABLE IF EXISTS ${membershipPartition(id)}`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === '55P03')
        throw new AppError(
          'CONFLICT',
          'SNAPSHOT_BUSY',
          `snapshot ${id}: the listings table stayed busy for ${this.lockWaitMs / 1000} s (a long read or an ingestion); nothing was deleted, try again`,
        );
      throw err;
    } finally {
      client.release();
    }
    return { id, predictionsDeleted, jobsPruned: withPreds.length };
  }

  async deleteModel(id: number, withPredictions: boolean): Promise<DeletionOutcome> {
    const model = await this.prisma.mlModel.findUnique({ where: { id }, select: { id: true, status: true } });
    if (!model) throw new AppError('NOT_FOUND', 'MODEL_NOT_FOUND', `model ${id} not found`);
    if (model.status === ModelStatus.PROMOTED)
      throw new AppError('CONFLICT', 'MODEL_IN_USE', `model ${id} is promoted: promote another model first`);
    if (model.status === ModelStatus.TRAINING)
      throw new AppError('CONFLICT', 'MODEL_IN_USE', `model ${id} is still training: cancel its job first`);
    const children = await this.prisma.mlModel.findMany({ where: { parentId: id }, select: { id: true }, orderBy: { id: 'asc' } });
    if (children.length > 0)
      throw new AppError(
        'CONFLICT',
        'MODEL_IN_USE',
        `model(s) ${list(children.map((c) => c.id))} were warm-started from model ${id}; delete them first`,
      );
    const jobs = await this.pool.query<{ id: string; state: JobState; has_predictions: boolean }>(
      `SELECT id, state, (predictions_removed_at IS NULL AND EXISTS (SELECT 1 FROM predictions p WHERE p.job_id = jobs.id)) AS has_predictions
       FROM jobs WHERE kind = 'CLASSIFICATION' AND model_id = $1`,
      [id],
    );
    const open = jobs.rows.filter((j) => OPEN.includes(j.state));
    if (open.length > 0)
      throw new AppError(
        'CONFLICT',
        'MODEL_IN_USE',
        `bulk job(s) ${list(open.map((j) => j.id))} still use model ${id}; cancel them or wait`,
      );
    const withPreds = jobs.rows.filter((j) => j.has_predictions).map((j) => j.id);
    if (withPreds.length > 0 && !withPredictions)
      throw new AppError(
        'CONFLICT',
        'MODEL_HAS_PREDICTIONS',
        `bulk job(s) ${list(withPreds)} hold predictions of model ${id}; give withPredictions: true to delete them too`,
      );
    const predictionsDeleted = await this.pruneJobs(new BatchedDelete(this.pool, this.batchSize), withPreds);
    // Job rows keep their history; their model_id is set null by the foreign key.
    await this.prisma.mlModel.delete({ where: { id } });
    return { id, predictionsDeleted, jobsPruned: withPreds.length };
  }

  private async pruneJobs(deleter: BatchedDelete, jobIds: string[]): Promise<number> {
    let deleted = 0;
    for (const jobId of jobIds) {
      await this.pool.query('UPDATE jobs SET predictions_removed_at = now() WHERE id = $1', [jobId]);
      deleted += await deleter.predictionsOfJob(jobId);
    }
    return deleted;
  }
}
