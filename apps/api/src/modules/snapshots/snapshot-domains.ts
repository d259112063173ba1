import type { Pool } from 'pg';

/** A listing's primary key: (snapshot, family, domain). */
export type ListingKey = [number, number, number];
export interface KeyRange {
  after?: ListingKey | null;
  upTo?: ListingKey | null;
}

/** One listed domain of a snapshot, with the family it is listed under. */
export interface ListedDomain {
  domain: string;
  family: string;
  /** Its line in the snapshot's file. */
  line: number;
}

/** A listed domain, and whether it is also listed in any of some other snapshots (a model's training data). */
export interface ListedDomainSeen extends ListedDomain {
  seen: boolean;
}

export interface DomainListingValue {
  snapshotId: number;
  feed: string;
  takenAt: Date;
  family: string;
  line: number;
  /** YYYY-MM-DD */
  listedOn: string | null;
  description: string | null;
}

/** A listing as both listing queries select it. */
interface ListingRow {
  snapshot_id: number;
  feed: string;
  taken_at: Date;
  family: string;
  line: number;
  listed_on: string | null;
  description: string | null;
}

function listingValue(l: ListingRow): DomainListingValue {
  return {
    snapshotId: l.snapshot_id,
    feed: l.feed,
    takenAt: l.taken_at,
    family: l.family,
    line: l.line,
    listedOn: l.listed_on,
    description: l.description,
  };
}

/**
 * The one reader of the listings (the `memberships` table; ingestion writes it). The jobs that
 * work through whole snapshots read them page by page in primary-key order (keyset pages, a bounded
 * query each time, never one giant result).
 */
export class SnapshotDomains {
  constructor(private readonly pool: Pool) {}

  /** Where one domain is listed, newest snapshot first. */
  async listingsOf(domainId: number): Promise<DomainListingValue[]> {
    const { rows } = await this.pool.query<ListingRow>(
      `SELECT m.snapshot_id, fe.name AS feed, s.taken_at, f.name AS family, m.line, to_char(m.listed_on, 'YYYY-MM-DD') AS listed_on, m.description
       FROM memberships m
       JOIN snapshots s ON s.id = m.snapshot_id JOIN feeds fe ON fe.id = s.feed_id JOIN families f ON f.id = m.family_id
       WHERE m.domain_id = $1
       ORDER BY s.taken_at DESC, m.snapshot_id DESC`,
      [domainId],
    );
    return rows.map(listingValue);
  }

  /**
   * The newest listing of each name in a DGA or labelled feed's snapshot (the family such a feed
   * says it is; top lists are not ground truth), for a page of names at once: one indexed lookup
   * per name (domains.name, memberships.domain_id).
   */
  async newestFeedListings(names: readonly string[]): Promise<Map<string, DomainListingValue>> {
    const { rows } = await this.pool.query<ListingRow & { name: string }>(
      `SELECT DISTINCT ON (d.name) d.name, m.snapshot_id, fe.name AS feed, s.taken_at, f.name AS family, m.line,
              to_char(m.listed_on, 'YYYY-MM-DD') AS listed_on, m.description
       FROM domains d
       JOIN memberships m ON m.domain_id = d.id
       JOIN snapshots s ON s.id = m.snapshot_id
       JOIN feeds fe ON fe.id = s.feed_id AND fe.kind IN ('DGA', 'LABELLED')
       JOIN families f ON f.id = m.family_id
       WHERE d.name = ANY($1::text[])
       ORDER BY d.name, s.taken_at DESC, m.snapshot_id DESC`,
      [names],
    );
    return new Map(rows.map((l) => [l.name, listingValue(l)]));
  }

  /** How many listings the snapshots hold (from the counts computed at ingestion). */
  async count(snapshotIds: readonly number[]): Promise<number> {
    const r = await this.pool.query<{ n: string }>(
      'SELECT COALESCE(sum(count), 0) AS n FROM snapshot_family_counts WHERE snapshot_id = ANY($1::int[])',
      [snapshotIds],
    );
    return Number(r.rows[0]!.n);
  }

  /**
   * The listings in primary-key order, page by page; `range` limits them to the keys after
   * `after` (exclusive) up to `upTo` (inclusive): a chunk of a snapshot (chunkBounds).
   */
  async *pages(snapshotIds: readonly number[], pageSize: number, range: KeyRange = {}): AsyncGenerator<ListedDomain[]> {
    let after: ListingKey = range.after ?? [-1, -1, -1];
    const upTo: ListingKey = range.upTo ?? [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1];
    for (;;) {
      const page = await this.pool.query<{
        snapshot_id: number;
        family_id: number;
        domain_id: number;
        domain: string;
        family: string;
        line: number;
      }>(
        `SELECT m.snapshot_id, m.family_id, m.domain_id, d.name AS domain, f.name AS family, m.line
         FROM memberships m JOIN domains d ON d.id = m.domain_id JOIN families f ON f.id = m.family_id
         WHERE m.snapshot_id = ANY($1::int[]) AND (m.snapshot_id, m.family_id, m.domain_id) > ($2, $3, $4)
           AND (m.snapshot_id, m.family_id, m.domain_id) <= ($5, $6, $7)
         ORDER BY m.snapshot_id, m.family_id, m.domain_id
         LIMIT ${Math.floor(pageSize)}`,
        [snapshotIds, ...after, ...upTo],
      );
      if (page.rows.length === 0) return;
      yield page.rows.map((r) => ({ domain: r.domain, family: r.family, line: r.line }));
      const last = page.rows[page.rows.length - 1]!;
      after = [last.snapshot_id, last.family_id, last.domain_id];
      if (page.rows.length < pageSize) return;
    }
  }

  /**
   * The names of one snapshot's listings with their lines, as pages() reads them (primary-key
   * order, `range` as there), each page as two columns: what a bulk job classifies. A page comes
   * as one row of two strings (names one a line, lines comma-separated) instead of a row per
   * listing: a bulk job's main thread spent a sixth of its time turning those rows into objects.
   * Stored names are normalised (letters, digits, '_', '-', '.'), so a newline never occurs in one.
   */
  async *namePages(snapshotId: number, pageSize: number, range: KeyRange = {}): AsyncGenerator<{ names: string[]; lines: number[] }> {
    let after: ListingKey = range.after ?? [-1, -1, -1];
    const upTo: ListingKey = range.upTo ?? [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1];
    for (;;) {
      const { rows } = await this.pool.query<{ n: number; names: string | null; lines: string | null; last: ListingKey | null }>(
        `WITH page AS MATERIALIZED (
           SELECT m.snapshot_id, m.family_id, m.domain_id, d.name, m.line
           FROM memberships m JOIN domains d ON d.id = m.domain_id
           WHERE m.snapshot_id = $1 AND (m.snapshot_id, m.family_id, m.domain_id) > ($2, $3, $4)
             AND (m.snapshot_id, m.family_id, m.domain_id) <= ($5, $6, $7)
           ORDER BY m.snapshot_id, m.family_id, m.domain_id
           LIMIT ${Math.floor(pageSize)})
         SELECT count(*)::int AS n,
                string_agg(name, E'\\n' ORDER BY snapshot_id, family_id, domain_id) AS names,
                string_agg(line::text, ',' ORDER BY snapshot_id, family_id, domain_id) AS lines,
                (SELECT ARRAY[snapshot_id, family_id, domain_id] FROM page ORDER BY snapshot_id DESC, family_id DESC, domain_id DESC LIMIT 1) AS last
         FROM page`,
        [snapshotId, ...after, ...upTo],
      );
      const page = rows[0]!;
      if (page.n === 0 || page.names === null || page.lines === null || page.last === null) return;
      const names = page.names.split('\n');
      const lines = page.lines.split(',').map(Number);
      if (names.length !== page.n || lines.length !== page.n)
        throw new Error(`snapshot ${snapshotId}: a page of ${page.n} listings read as ${names.length} names and ${lines.length} lines`);
      yield { names, lines };
      after = page.last;
      if (page.n < pageSize) return;
    }
  }

  /**
   * Splits a snapshot's listings into consecutive key ranges of `size` listings each (the last
   * may be shorter), in one pass over the primary key's index: the chunks of a bulk job.
   */
  async chunkBounds(snapshotId: number, size: number): Promise<KeyRange[]> {
    const { rows } = await this.pool.query<{ family_id: number; domain_id: number }>(
      `SELECT family_id, domain_id FROM (
         SELECT family_id, domain_id, row_number() OVER (ORDER BY family_id, domain_id) AS n
         FROM memberships WHERE snapshot_id = $1
       ) k WHERE n % $2 = 0 ORDER BY n`,
      [snapshotId, Math.floor(size)],
    );
    const ends: ListingKey[] = rows.map((r) => [snapshotId, r.family_id, r.domain_id]);
    const ranges: KeyRange[] = [];
    let after: ListingKey | null = null;
    for (const end of ends) {
      ranges.push({ after, upTo: end });
      after = end;
    }
    // What follows the last full chunk (nothing when the count is a multiple of the size).
    const rest = after
      ? await this.pool.query(
          'SELECT 1 FROM memberships WHERE snapshot_id = $1 AND (snapshot_id, family_id, domain_id) > ($1, $2, $3) LIMIT 1',
          [snapshotId, after[1], after[2]],
        )
      : null;
    if (!after || (rest && rest.rows.length > 0)) ranges.push({ after, upTo: null });
    return ranges;
  }

  /**
   * One snapshot's listings page by page, each marked with whether the same domain is listed in
   * any of `others` (an evaluation's "trained on": in a training snapshot of the model).
   */
  async *pagesSeenIn(snapshotId: number, others: readonly number[], pageSize: number): AsyncGenerator<ListedDomainSeen[]> {
    let after: [number, number] = [-1, -1];
    for (;;) {
      const page = await this.pool.query<{
        family_id: number;
        domain_id: number;
        domain: string;
        family: string;
        line: number;
        seen: boolean;
      }>(
        `SELECT m.family_id, m.domain_id, d.name AS domain, f.name AS family, m.line,
                EXISTS (SELECT 1 FROM memberships o WHERE o.domain_id = m.domain_id AND o.snapshot_id = ANY($2::int[])) AS seen
         FROM memberships m JOIN domains d ON d.id = m.domain_id JOIN families f ON f.id = m.family_id
         WHERE m.snapshot_id = $1 AND (m.family_id, m.domain_id) > ($3, $4)
         ORDER BY m.family_id, m.domain_id
         LIMIT ${Math.floor(pageSize)}`,
        [snapshotId, others, ...after],
      );
      if (page.rows.length === 0) return;
      yield page.rows.map((r) => ({ domain: r.domain, family: r.family, line: r.line, seen: r.seen }));
      const last = page.rows[page.rows.length - 1]!;
      after = [last.family_id, last.domain_id];
      if (page.rows.length < pageSize) return;
    }
  }
}
