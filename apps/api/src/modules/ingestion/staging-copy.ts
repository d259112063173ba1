import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import { copyField, copyText } from '../../db/copy-text';
import type { Line } from './line-reader';
import type { ParsedLine } from './row-parsers';

/**
 * Creates the table a file's lines are COPYed into before merging, inside the caller's
 * transaction, and returns its name. UNLOGGED (no WAL) and an ordinary table, so it lives in
 * shared buffers: a TEMP table would page through the session's few MB of temp_buffers, and
 * was 1.6x slower to fill and to read for a 1M-row list. The name is unique because two
 * transactions creating the same name wait for each other; the caller drops it before
 * COMMIT, and a ROLLBACK (or a lost connection) removes it with the transaction.
 */
export async function createStage(client: PoolClient): Promise<string> {
  const stage = `ingest_stage_${randomBytes(8).toString('hex')}`;
  await client.query(`
    CREATE UNLOGGED TABLE ${stage} (
      line int NOT NULL,
      domain text,
      family text,
      description text,
      listed_on date,
      manual_url text,
      rank int,
      reason text,
      raw text
    ) WITH (autovacuum_enabled = false)`);
  return stage;
}

export interface StageCounts {
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** The distinct family labels of the accepted rows (a feed has a few; the merge resolves them without scanning the stage). */
  families: Set<string>;
}

const MAX_RAW_CHARS = 500;

/**
 * Streams parsed lines into the stage with COPY: accepted rows with their fields,
 * rejected rows with their reason and raw text, so both land in one pass and in order.
 */
export async function copyIntoStage(
  client: PoolClient,
  stage: string,
  lines: AsyncIterable<Line[]>,
  parse: (line: Line) => ParsedLine,
  onRow?: (counts: StageCounts) => void,
): Promise<StageCounts> {
  const counts: StageCounts = { rowsRead: 0, accepted: 0, rejected: 0, families: new Set() };
  async function* rows(): AsyncGenerator<string> {
    let batch = '';
    for await (const read of lines) {
      for (const line of read) {
        const parsed: ParsedLine = line.tooLong ? { ok: false, reason: 'line longer than 65536 characters' } : parse(line);
        if (parsed.ok === 'skip') continue;
        counts.rowsRead += 1;
        if (parsed.ok) {
          counts.accepted += 1;
          const r = parsed.row;
          counts.families.add(r.family);
          batch += `${line.number}\t${copyField(r.domain)}\t${copyField(r.family)}\t${copyField(r.description)}\t${copyField(r.listedOn)}\t${copyField(r.manualUrl)}\t${copyField(r.rank)}\t\\N\t\\N\n`;
        } else {
          counts.rejected += 1;
          batch += `${line.number}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${copyField(parsed.reason)}\t${copyField(line.text.slice(0, MAX_RAW_CHARS))}\n`;
        }
      }
      if (batch.length >= 256 * 1024) {
        yield batch;
        batch = '';
        onRow?.(counts);
      }
    }
    if (batch) yield batch;
    onRow?.(counts);
  }
  const copy = `COPY ${stage} (line, domain, family, description, listed_on, manual_url, rank, reason, raw) FROM STDIN`;
  await copyText(client, copy, rows());
  // The merge's joins are planned from these statistics (row count, distinct names).
  await client.query(`ANALYZE ${stage}`);
  return counts;
}
