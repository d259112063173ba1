import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const COPY_SPECIAL = /[\\\t\n\r\u0000]/;

/**
 * A value as a field of COPY's text format: \N for null, the backslash escapes for the
 * characters that separate fields and rows. PostgreSQL text cannot hold NUL: it is dropped.
 */
export function copyField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r\u0000]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '',
  );
}

/** Runs `copy` (a `COPY … FROM STDIN` in text format) on `client`, sending `chunks` (whole rows, each ending in \n); returns the rows stored. */
export async function copyText(client: PoolClient, copy: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
  const stream = client.query(copyFrom(copy));
  await pipeline(Readable.from(chunks), stream);
  return stream.rowCount;
}
