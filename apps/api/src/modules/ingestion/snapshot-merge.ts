import type { PoolClient } from 'pg';

export interface MergeResult {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Moves the staged rows of one file into the permanent tables, set-based, inside the
 * caller's transaction: families and domains first (shared across snapshots), then the
 * memberships (the first occurrence of a repeated domain+family wins), the per-family counts and the
 * rejections.
 */
export async function mergeStage(client: PoolClient, snapshotId: number): Promise<MergeResult> {
  // A raw label resolves to the family of that name, else to the family that lists it as an alias.
  await client.query(`
    INSERT INTO families (name)
    SELECT DISTINCT s.family FROM ingest_stage s
    WHERE s.reason IS NULL
      AND NOT EXISTS (SELECT 1 FROM families f WHERE f.name = s.family OR s.family = ANY (f.aliases))
    ON CONFLICT (name) DO NOTHING`);
  await client.query(`
    CREATE TEMP TABLE ingest_family ON COMMIT DROP AS
    SELECT DISTINCT ON (l.label) l.label, f.id
    FROM (SELECT DISTINCT family AS label FROM ingest_stage WHERE reason IS NULL) l
    JOIN families f ON f.name = l.label OR l.label = ANY (f.aliases)
    ORDER BY l.label, (f.name = l.label) DESC, f.id`);
  // New names get ids in file order. The anti-join skips known names cheaply; ON CONFLICT
  // covers a concurrent ingestion of the same new names.
  await client.query(`
    INSERT INTO domains (name)
    SELECT s.domain FROM ingest_stage s
    WHERE s.reason IS NULL AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.name = s.domain)
    GROUP BY s.domain ORDER BY min(s.line)
    ON CONFLICT (name) DO NOTHING`);
  // Inserting in key order appends to the primary key's right edge and walks the domain
  // index in order (about 2x faster on 1M rows than file order); `line` last keeps the
  // first occurrence of a repeated row.
  const inserted = await client.query(
    `INSERT INTO memberships (snapshot_id, family_id, domain_id, line, rank, description, listed_on, manual_url)
     SELECT $1, f.id, d.id, s.line, s.rank, s.description, s.listed_on, s.manual_url
     FROM ingest_stage s
     JOIN ingest_family f ON f.label = s.family
     JOIN domains d ON d.name = s.domain
     WHERE s.reason IS NULL
     ORDER BY f.id, d.id, s.line
     ON CONFLICT DO NOTHING`,
    [snapshotId],
  );
  await client.query(
    `INSERT INTO snapshot_family_counts (snapshot_id, family_id, count)
     SELECT $1, family_id, count(*) FROM memberships WHERE snapshot_id = $1 GROUP BY family_id`,
    [snapshotId],
  );
  const rejected = await client.query(
    `INSERT INTO rejections (snapshot_id, line, reason, raw)
     SELECT $1, line, reason, raw FROM ingest_stage WHERE reason IS NOT NULL ORDER BY line`,
    [snapshotId],
  );
  const staged = await client.query<{ n: string }>('SELECT count(*) AS n FROM ingest_stage WHERE reason IS NULL');
  const accepted = inserted.rowCount ?? 0;
  return { accepted, duplicates: Number(staged.rows[0]!.n) - accepted, rejected: rejected.rowCount ?? 0 };
}
