import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FeedKind } from '@prisma/client';
import type { Pool, PoolClient } from 'pg';
import { AppError } from '../../errors/app-error';
import { ByteMeter, decompress, openSource, peek, type IngestSource } from './byte-source';
import { sniffContent } from './content-sniffer';
import { DEFAULT_URL_POLICY, fetchFeedUrl, type CacheValidators, type FetchedUrl, type UrlPolicy } from './url-source';
import { FEED_KIND_OF_FORMAT, type FeedFormat } from './feed-format';
import { readLineBatches } from './line-reader';
import { parseLine } from './row-parsers';
import { mergeStage } from './snapshot-merge';
import { copyIntoStage, createStage, type StageCounts } from './staging-copy';
import { SnapshotIngestedHooks, type HookOutcome, type IngestedSnapshot } from './snapshot-ingested';

export interface IngestRequest {
  feed: string;
  source: IngestSource;
  /** Skip format detection. Empty, binary and HTML content is refused all the same. */
  format?: FeedFormat;
  /** When the snapshot was taken; default: the feed header's "generated at", else now. */
  takenAt?: Date;
  /** Kind of a feed created by this ingestion; default: implied by the format. */
  feedKind?: FeedKind;
  feedUrl?: string;
  /** Overrides the family-extraction suffixes of Bambenek descriptions. */
  familySuffixes?: readonly string[];
}

export interface IngestProgress {
  bytes: number;
  sizeHint: number | null;
  rows: number;
  phase: 'reading' | 'merging';
}

export interface IngestOutcome {
  snapshotId: number;
  /** False when the same file (sha256) had already been ingested for this feed. */
  created: boolean;
  format: FeedFormat;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  /** What the post-ingest hooks did (none run when the snapshot already existed). */
  afterIngest: HookOutcome[];
}

export class IngestionService {
  /** Run after every ingestion that created a snapshot: automation attaches here (see snapshot-ingested.ts). */
  readonly afterIngest = new SnapshotIngestedHooks();

  constructor(
    private readonly pool: Pool,
    private readonly limits: { maxBytes: number; url?: UrlPolicy },
  ) {}

  /** GETs a feed URL under the ingestion URL policy; conditional when validators are given (scheduled pulls). */
  fetchUrl(url: string, validators: CacheValidators = {}): Promise<FetchedUrl> {
    return fetchFeedUrl(url, this.limits.url ?? DEFAULT_URL_POLICY, validators);
  }

  async ingest(request: IngestRequest, onProgress?: (p: IngestProgress) => void): Promise<IngestOutcome> {
    const { created, ...outcome } = await this.store(request, onProgress);
    // After the commit and with the connection released: a hook's work is its own.
    const afterIngest = created ? await this.afterIngest.run(created) : [];
    return { ...outcome, created: created !== false, afterIngest };
  }

  /** Stores the snapshot (all or nothing); `created` says what the post-ingest hooks get, when it is new. */
  private async store(
    request: IngestRequest,
    onProgress?: (p: IngestProgress) => void,
  ): Promise<Omit<IngestOutcome, 'afterIngest' | 'created'> & { created: false | IngestedSnapshot }> {
    const feedName = request.feed.trim();
    if (feedName === '' || feedName.length > 100) {
      throw new AppError('BAD_USER_INPUT', 'FEED_NAME_INVALID', 'feed name must be 1 to 100 characters');
    }
    // A local file can be recognised as already ingested before any parsing.
    if (request.source.kind === 'path') {
      await requireFile(request.source.path);
      const existing = await this.findExisting(this.pool, feedName, await hashFile(request.source.path, this.limits.maxBytes));
      if (existing) return existing;
    }

    const opened = await openSource(request.source, this.limits.maxBytes, this.limits.url);
    const meter = new ByteMeter(opened.fileName, this.limits.maxBytes);
    const { content } = await decompress(opened.fileName, meter.measure(opened.raw), this.limits.maxBytes);
    const { head, complete, all } = await peek(content);
    const sniffed = sniffContent(head, complete, request.format);
    if (!sniffed.ok) throw new AppError('BAD_USER_INPUT', 'NOT_A_FEED', `${opened.fileName}: ${sniffed.reason}; nothing was stored`);
    const format = sniffed.format;
    const takenAt = request.takenAt ?? headerDate(head) ?? new Date();

    const client = await this.pool.connect();
    let sha256: string | null = null;
    try {
      await client.query('BEGIN');
      // Bounded by size and by the source's idle timeout instead: a large feed's merge takes minutes.
      await client.query('SET LOCAL statement_timeout = 0');
      const stage = await createStage(client);
      const report = (counts: StageCounts) =>
        onProgress?.({ bytes: meter.bytes, sizeHint: opened.sizeHint, rows: counts.rowsRead, phase: 'reading' });
      const staged = await copyIntoStage(
        client,
        stage,
        readLineBatches(all),
        (line) => parseLine(format, line.text, line.number, { familySuffixes: request.familySuffixes }),
        report,
      );
      sha256 = meter.digest();
      const existing = await this.findExisting(client, feedName, sha256);
      if (existing) {
        await client.query('ROLLBACK');
        return existing;
      }
      if (staged.accepted === 0) {
        const first = await client.query<{ line: number; reason: string }>(`SELECT line, reason FROM ${stage} ORDER BY line LIMIT 1`);
        const example = first.rows[0] ? ` (line ${first.rows[0].line}: ${first.rows[0].reason})` : '';
        throw new AppError(
          'BAD_USER_INPUT',
          'NOT_A_FEED',
          `${opened.fileName}: no valid ${format} rows, ${staged.rejected} rejected${example}; nothing was stored`,
        );
      }
      onProgress?.({ bytes: meter.bytes, sizeHint: opened.sizeHint, rows: staged.rowsRead, phase: 'merging' });

      const feed = await client.query<{ id: number; kind: FeedKind }>(
        `INSERT INTO feeds (name, kind, url) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET url = COALESCE(feeds.url, EXCLUDED.url) RETURNING id, kind`,
        [feedName, request.feedKind ?? FEED_KIND_OF_FORMAT[format], request.feedUrl ?? opened.sourceUrl],
      );
      const snapshot = await client.query<{ id: number }>(
        `INSERT INTO snapshots (feed_id, taken_at, file_name, source_url, format, sha256, byte_size,
                                rows_read, rows_accepted, rows_rejected, rows_duplicate)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0) RETURNING id`,
        [feed.rows[0]!.id, takenAt, opened.fileName, opened.sourceUrl, format, sha256, meter.bytes, staged.rowsRead],
      );
      const snapshotId = snapshot.rows[0]!.id;
      const merged = await mergeStage(client, stage, snapshotId, staged);
      await client.query(`DROP TABLE ${stage}`);
      await client.query('UPDATE snapshots SET rows_accepted = $2, rows_rejected = $3, rows_duplicate = $4 WHERE id = $1', [
        snapshotId,
        merged.accepted,
        merged.rejected,
        merged.duplicates,
      ]);
      await client.query('COMMIT');
      return {
        snapshotId,
        created: { snapshotId, feed: feedName, feedKind: feed.rows[0]!.kind, takenAt, rowsAccepted: merged.accepted },
        format,
        rowsRead: staged.rowsRead,
        rowsAccepted: merged.accepted,
        rowsRejected: merged.rejected,
        rowsDuplicate: merged.duplicates,
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (sha256 && isUniqueViolation(err, 'snapshots_feed_id_sha256_key')) {
        // Another ingestion of the same file committed first.
        const existing = await this.findExisting(this.pool, feedName, sha256);
        if (existing) return existing;
      }
      throw err;
    } finally {
      client.release();
    }
  }

  private async findExisting(
    db: Pool | PoolClient,
    feedName: string,
    sha256: string,
  ): Promise<(Omit<IngestOutcome, 'afterIngest' | 'created'> & { created: false }) | null> {
    const r = await db.query<{
      id: number;
      format: FeedFormat;
      rows_read: number;
      rows_accepted: number;
      rows_rejected: number;
      rows_duplicate: number;
    }>(
      `SELECT s.id, s.format, s.rows_read, s.rows_accepted, s.rows_rejected, s.rows_duplicate
       FROM snapshots s JOIN feeds f ON f.id = s.feed_id WHERE f.name = $1 AND s.sha256 = $2`,
      [feedName, sha256],
    );
    const s = r.rows[0];
    if (!s) return null;
    return {
      snapshotId: s.id,
      created: false as const,
      format: s.format,
      rowsRead: s.rows_read,
      rowsAccepted: s.rows_accepted,
      rowsRejected: s.rows_rejected,
      rowsDuplicate: s.rows_duplicate,
    };
  }
}

/** A path that is missing, or not a regular file (a directory, a device), is refused with its own reason. */
async function requireFile(file: string): Promise<void> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_FOUND', `${file}: ${err.code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  });
  if (!info.isFile()) throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_A_FILE', `${file}: not a regular file`);
}

async function hashFile(path: string, maxBytes: number): Promise<string> {
  const meter = new ByteMeter(path, maxBytes);
  try {
    for await (const _ of meter.measure(createReadStream(path))) void _;
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_FOUND', `${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return meter.digest();
}

/** Bambenek headers say "## Feed generated at: Sat Nov 12 00:15:01 UTC 2016". */
function headerDate(head: Buffer): Date | null {
  const match = /^#+\s*Feed generated at:\s*(.+?)\s*$/im.exec(head.toString('utf8', 0, 4096));
  if (!match) return null;
  const parts = /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\w+) (\d{4})$/.exec(match[1]!);
  const date = new Date(parts ? `${parts[1]} ${parts[2]} ${parts[5]} ${parts[3]} ${parts[4] === 'UTC' ? 'GMT' : parts[4]}` : match[1]!);
  return Number.isNaN(date.getTime()) ? null : date;
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
}
