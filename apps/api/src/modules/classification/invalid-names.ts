import type { Pool } from 'pg';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import { withoutNul } from '../access/audit-arguments';

/** A name a bulk job could not classify, where it was and why. */
export interface InvalidName {
  /** Its line in the uploaded list (1-based, blank and comment lines counted), its position in a `domains` list, or its line in the snapshot's file. */
  line: number;
  name: string;
  reason: string;
}

/**
 * The `job_invalid_names` table: every name a bulk-classification job could not classify. Written
 * batch by batch as the job goes (a retried job records each line once), read by the API.
 */
export class InvalidNames {
  constructor(private readonly pool: Pool) {}

  async record(jobId: string, names: readonly InvalidName[]): Promise<void> {
    if (names.length === 0) return;
    await this.pool.query(
      `INSERT INTO job_invalid_names (job_id, line, name, reason)
       SELECT $1, u.line, u.name, u.reason FROM unnest($2::int[], $3::text[], $4::text[]) AS u(line, name, reason)
       ON CONFLICT (job_id, line) DO NOTHING`,
      [jobId, names.map((n) => n.line), names.map((n) => withoutNul(n.name)), names.map((n) => withoutNul(n.reason))],
    );
  }

  async count(jobId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM job_invalid_names WHERE job_id = $1', [jobId]);
    return Number(rows[0]!.n);
  }

  /** In line order, keyset-paged on the line. */
  async page(jobId: string, first: number, after?: string | null): Promise<ConnectionValue<InvalidName>> {
    const cursor = decodeCursor<[number]>(after, ['number']);
    const { rows } = await this.pool.query<InvalidName>(
      `SELECT line, name, reason FROM job_invalid_names WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [jobId, cursor?.[0] ?? 0, first + 1],
    );
    return toConnection(rows, first, (n) => [n.line], await this.count(jobId));
  }

  async deleteForJob(jobId: string): Promise<void> {
    await this.pool.query('DELETE FROM job_invalid_names WHERE job_id = $1', [jobId]);
  }
}
