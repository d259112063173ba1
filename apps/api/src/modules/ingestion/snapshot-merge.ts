import type { PoolClient } from 'pg';

export interface MergeResult {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Serialises the writers of the domain dictionary (any fixed 64-bit number: ingestion is its
 * only writer). Holding it, a plain INSERT of the names missing from `domains` cannot collide
 * with another ingestion's, so it needs no ON CONFLICT: the speculative insertion that
 * ON CONFLICT does per row made the dictionary load of 1M new names 2x slower. A second
 * ingestion waits here until the first commits, then sees its names.
 */
const DOMAIN_DICTIONARY_LOCK = 7_170_001;

/** The partition of `memberships` that holds one snapshot's listings. */
export function membershipPartition(snapshotId: number): string {
  if (!Number.isSafeInteger(snapshotId) || snapshotId <= 0) throw new Error(`not a snapshot id: ${snapshotId}`);
  return `memberships_${snapshotId}`;
}

/**
 * Moves the staged rows of one file into the permanent tables, set-based, inside the
 * caller's transaction, with PostgreSQL's bulk-load idioms:
 * - families, then only the names the dictionary lacks (a hash anti-join), inserted in name
 *   order so the name index fills page by page (byte order, which is the order of
 *   domains.name's collation "C");
 * - the memberships into a fresh table of their own with no index (the first occurrence of a
 *   repeated domain+family wins), indexed once when full, then attached as the snapshot's
 *   partition of `memberships`: building an index from sorted input is several times cheaper
 *   than inserting 1M rows one by one through two B-trees. Readers see the partition when the
 *   transaction commits, with the snapshot row, or never.
 * Then the per-family counts and the rejections.
 */
export async function mergeStage(
  client: PoolClient,
  stage: string,
  snapshotId: number,
  staged: { accepted: number; rejected: number; families: ReadonlySet<string> },
): Promise<MergeResult> {
  // Enough memory for the hash joins over a million names and the index builds to stay in
  // memory; local to this transaction.
  await client.query(`SET LOCAL work_mem = '256MB'`);
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  // JIT-compiling these one-off statements costs more (~0.2 s) than it saves.
  await client.query('SET LOCAL jit = off');
  // A raw label resolves to the family of that name, else to the family that lists it as an alias.
  // The labels come from the reader (copyIntoStage collects them), not from two more scans of the stage.
  const labels = [...staged.families];
  await client.query(
    `INSERT INTO families (name)
     SELECT l.label FROM unnest($1::text[]) l (label)
     WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.name = l.label OR l.label = ANY (f.aliases))
     ON CONFLICT (name) DO NOTHING`,
    [labels],
  );
  await client.query(
    `CREATE TEMP TABLE ingest_family ON COMMIT DROP AS
     SELECT DISTINCT ON (l.label) l.label, f.id
     FROM unnest($1::text[]) l (label)
     JOIN families f ON f.name = l.label OR l.label = ANY (f.aliases)
     ORDER BY l.label, (f.name = l.label) DESC, f.id`,
    [labels],
  );
  // Without statistics the planner guesses a thousand labels and sorts the whole stage by label to join them.
  await client.query('ANALYZE ingest_family');
  await client.query('SELECT pg_advisory_xact_lock($1)', [DOMAIN_DICTIONARY_LOCK]);
  // DISTINCT on the bytewise order is one sort that also drops the repeats (GROUP BY then
  // ORDER BY hashed all the names, then sorted them: twice the CPU).
  await client.query(`
    INSERT INTO domains (name)
    SELECT DISTINCT s.domain COLLATE "C" FROM ${stage} s
    WHERE s.reason IS NULL AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.name = s.domain)
    ORDER BY 1`);

  const partition = membershipPartition(snapshotId);
  await client.query(`CREATE TABLE ${partition} (LIKE memberships INCLUDING DEFAULTS)`);
  // The partition's bound as a constraint while the table is empty (nothing to check): ATTACH
  // finds its bound implied by it and skips scanning the rows to prove it.
  await client.query(`ALTER TABLE ${partition} ADD CONSTRAINT ${partition}_snapshot CHECK (snapshot_id = ${snapshotId})`);
  const inserted = await client.query(
    `INSERT INTO ${partition} (snapshot_id, family_id, domain_id, line, rank, description, listed_on, manual_url)
     SELECT DISTINCT ON (f.id, d.id) $1::int, f.id, d.id, s.line, s.rank, s.description, s.listed_on, s.manual_url
     FROM ${stage} s
     JOIN ingest_family f ON f.label = s.family
     JOIN domains d ON d.name = s.domain
     WHERE s.reason IS NULL
     ORDER BY f.id, d.id, s.line`,
    [snapshotId],
  );
  // Named as PostgreSQL names the indexes it creates on a partition itself; ATTACH adopts
  // them as the partitions of memberships_pkey and memberships_domain_id_idx.
  await client.query(`ALTER TABLE ${partition} ADD CONSTRAINT ${partition}_pkey PRIMARY KEY (snapshot_id, family_id, domain_id)`);
  await client.query(`CREATE INDEX ${partition}_domain_id_idx ON ${partition} (domain_id)`);
  await client.query(`ALTER TABLE memberships ATTACH PARTITION ${partition} FOR VALUES IN (${snapshotId})`);
  await client.query(`ANALYZE ${partition}`);

  await client.query(
    `INSERT INTO snapshot_family_counts (snapshot_id, family_id, count)
     SELECT $1, family_id, count(*) FROM ${partition} GROUP BY family_id`,
    [snapshotId],
  );
  // The reader counted the rejected lines: a clean file skips a scan of the whole stage.
  const rejected =
    staged.rejected === 0
      ? 0
      : ((
          await client.query(
            `INSERT INTO rejections (snapshot_id, line, reason, raw)
             SELECT $1, line, reason, raw FROM ${stage} WHERE reason IS NOT NULL ORDER BY line`,
            [snapshotId],
          )
        ).rowCount ?? 0);
  const listed = inserted.rowCount ?? 0;
  return { accepted: listed, duplicates: staged.accepted - listed, rejected };
}
