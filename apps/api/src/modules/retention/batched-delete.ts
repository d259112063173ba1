import type { Pool } from 'pg';

/**
 * Deletes that never hold a big lock: each batch is its own short statement (autocommit), so
 * readers and writers of the table only ever wait for one batch's row locks.
 */
export class BatchedDelete {
  constructor(
    private readonly pool: Pool,
    private readonly batchSize: number,
  ) {}

  /**
   * A job's predictions, in ranges of the primary key: each batch reads an id range, whatever
   * other indexes the table has. Returns the rows deleted.
   */
  async predictionsOfJob(jobId: string, signal?: AbortSignal, onBatch?: (deleted: number) => void): Promise<number> {
    const bounds = await this.pool.query<{ lo: string | null; hi: string | null }>(
      'SELECT min(id)::text AS lo, max(id)::text AS hi FROM predictions WHERE job_id = $1',
      [jobId],
    );
    const { lo, hi } = bounds.rows[0]!;
    if (lo == null || hi == null) return 0;
    let deleted = 0;
    const step = BigInt(this.batchSize);
    for (let from = BigInt(lo); from <= BigInt(hi); from += step) {
      if (signal?.aborted) break;
      const r = await this.pool.query('DELETE FROM predictions WHERE job_id = $1 AND id >= $2 AND id < $3', [
        jobId,
        from.toString(),
        (from + step).toString(),
      ]);
      deleted += r.rowCount ?? 0;
      onBatch?.(r.rowCount ?? 0);
    }
    return deleted;
  }

  /** The listings of a snapshot (memberships have no single-column key: batches of physical rows). */
  async membershipsOfSnapshot(snapshotId: number, signal?: AbortSignal): Promise<number> {
    let deleted = 0;
    for (;;) {
      if (signal?.aborted) break;
      const r = await this.pool.query(
        'DELETE FROM memberships WHERE snapshot_id = $1 AND ctid IN (SELECT ctid FROM memberships WHERE snapshot_id = $1 LIMIT $2)',
        [snapshotId, this.batchSize],
      );
      deleted += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) === 0) return deleted;
    }
    return deleted;
  }

  /**
   * Snapshot ids that still have listings but no snapshot row (a deletion interrupted between
   * the snapshot and its listings). A loose index scan over the primary key's first column:
   * one index probe per distinct snapshot, not a scan of the table.
   */
  async orphanSnapshotIds(): Promise<number[]> {
    const r = await this.pool.query<{ id: number }>(
      `WITH RECURSIVE s(id) AS (
         SELECT min(snapshot_id) FROM memberships
         UNION ALL
         SELECT (SELECT min(snapshot_id) FROM memberships WHERE snapshot_id > s.id) FROM s WHERE s.id IS NOT NULL
       )
       SELECT id FROM s WHERE id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM snapshots WHERE snapshots.id = s.id)`,
    );
    return r.rows.map((row) => row.id);
  }
}
