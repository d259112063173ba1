import type { LabeledDomain } from '@dgascope/ml';
import type { Pool } from 'pg';

const PAGE = 50_000;

/**
 * The labelled domains of some snapshots, read page by page in primary-key order (a
 * bounded query each time, never one giant result).
 */
export async function* readTrainingData(pool: Pool, snapshotIds: readonly number[]): AsyncGenerator<LabeledDomain[]> {
  let after: [number, number, number] = [-1, -1, -1];
  for (;;) {
    const page = await pool.query<{ snapshot_id: number; family_id: number; domain_id: number; domain: string; family: string }>(
      `SELECT m.snapshot_id, m.family_id, m.domain_id, d.name AS domain, f.name AS family
       FROM memberships m JOIN domains d ON d.id = m.domain_id JOIN families f ON f.id = m.family_id
       WHERE m.snapshot_id = ANY($1::int[]) AND (m.snapshot_id, m.family_id, m.domain_id) > ($2, $3, $4)
       ORDER BY m.snapshot_id, m.family_id, m.domain_id
       LIMIT ${PAGE}`,
      [snapshotIds, ...after],
    );
    if (page.rows.length === 0) return;
    yield page.rows.map((r) => ({ domain: r.domain, label: r.family }));
    const last = page.rows[page.rows.length - 1]!;
    after = [last.snapshot_id, last.family_id, last.domain_id];
    if (page.rows.length < PAGE) return;
  }
}
