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
}
