import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { normalizeDomain } from '@dgascope/core';
import fc from 'fast-check';
import { Pool } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { createTestDatabase, truncateAll, type TestDatabase } from '../../../../../test/support/test-database';
import { AppError } from '../../errors/app-error';
import { FEED_FORMATS } from './feed-format';
import { decompress, MAX_COMPRESSION_RATIO } from './byte-source';
import { IngestionService } from './ingestion.service';
import { parseLine } from './row-parsers';

// Random text of every kind: ASCII, any Unicode, control characters, separators.
const anyLine = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(',', '\t', '"', '#', '.', 'a', 'Z', '-', '_', ' ', '\r', 'é', '\u0000'), maxLength: 80 }),
);
const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/);
const validDomain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'net', 'org', 'ru', 'info'))
  .map(([ls, tld]) => [...ls, tld].join('.'));

describe('parseLine on hostile input', () => {
  it('never throws, and whatever it accepts is a normalised, valid domain and a sane family', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FEED_FORMATS), anyLine, fc.integer({ min: 1, max: 5 }), (format, line, lineNumber) => {
        const parsed = parseLine(format, line, lineNumber);
        if (parsed.ok === true) {
          expect(normalizeDomain(parsed.row.domain)).toEqual({ ok: true, domain: parsed.row.domain });
          expect(parsed.row.family.length).toBeGreaterThan(0);
          expect(parsed.row.family.length).toBeLessThanOrEqual(100);
        } else if (parsed.ok === false) {
          expect(parsed.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('IngestionService on hostile input (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let service: IngestionService;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    service = new IngestionService(pool, { maxBytes: 10 * 1024 * 1024 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  beforeEach(() => truncateAll(db.url));

  const ingest = (content: Buffer | string, format?: (typeof FEED_FORMATS)[number]) =>
    service.ingest({
      feed: 'fuzz',
      ...(format ? { format } : {}),
      source: { kind: 'stream', stream: Readable.from([Buffer.from(content)]), fileName: 'fuzz.txt' },
    });

  it('random bytes are refused as a whole or ingested consistently, never crash, never half-store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        await truncateAll(db.url);
        const outcome = await ingest(Buffer.from(bytes)).catch((e: unknown) => e);
        const stored = Number((await pool.query('SELECT count(*) AS n FROM snapshots')).rows[0].n);
        if (outcome instanceof AppError) {
          expect(outcome.reason).toBe('NOT_A_FEED');
          expect(stored).toBe(0);
        } else {
          if (outcome instanceof Error) throw outcome;
          const o = outcome as Awaited<ReturnType<typeof ingest>>;
          expect(o.rowsAccepted + o.rowsRejected + o.rowsDuplicate).toBe(o.rowsRead);
          expect(stored).toBe(1);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('garbage lines between valid rows are each rejected with their line number, and no valid row is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: validDomain.map((d) => ({ valid: true, text: d })) },
            { weight: 1, arbitrary: anyLine.map((t) => ({ valid: false, text: t })) },
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        async (items) => {
          await truncateAll(db.url);
          // Keep the file line-oriented (a generated "line" must not break itself) and textual
          // (control bytes throughout would make it a binary file, refused as a whole).
          const lines = items.map((i) => ({
            ...i,
            text: i.text.replace(/[\r\n]/g, ' ').replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, '?'),
          }));
          const text = `${lines.map((l) => l.text).join('\n')}\n`;
          const expectedDomains = new Set(lines.filter((l) => l.valid).map((l) => l.text));
          const outcome = await ingest(text, 'plain-list').catch((e: unknown) => e);
          // A "garbage" line can still be a valid name (a single label such as "_" is one).
          const acceptable = lines.some(
            (l) => !l.valid && l.text.trim() !== '' && !l.text.trim().startsWith('#') && normalizeDomain(l.text.trim()).ok,
          );
          if (expectedDomains.size === 0 && !acceptable) {
            expect(outcome).toBeInstanceOf(AppError);
            return;
          }
          if (outcome instanceof Error) throw outcome;
          const stored = await pool.query<{ name: string }>('SELECT d.name FROM memberships m JOIN domains d ON d.id = m.domain_id');
          const storedNames = new Set(stored.rows.map((r) => r.name));
          for (const domain of expectedDomains) expect(storedNames.has(domain)).toBe(true);
          const rejections = await pool.query<{ line: number }>('SELECT line FROM rejections ORDER BY line');
          for (const { line } of rejections.rows) {
            const source = lines[line - 1]!;
            expect(source.valid).toBe(false);
            expect(normalizeDomain(source.text).ok).toBe(false);
          }
          // Every garbage line that is not blank or a comment and not a valid name is rejected.
          const expectedRejected = lines
            .map((l, i) => ({ ...l, line: i + 1 }))
            .filter((l) => !l.valid && l.text.trim() !== '' && !l.text.trim().startsWith('#') && !normalizeDomain(l.text.trim()).ok);
          expect(rejections.rows.map((r) => r.line)).toEqual(expectedRejected.map((l) => l.line));
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each([
    ['CRLF line ends and a UTF-8 BOM', '\uFEFF1,google.com\r\n2,example.org\r\n', 2, 0, 0],
    ['duplicated rows', 'family,domain\ntinba,a.com\ntinba,a.com\ntinba,A.COM.\n', 1, 0, 2],
    // The Cyrillic look-alike of "apple.com" is its own IDN, equal to its punycode spelling.
    ['Unicode look-alikes and IDNs', 'family,domain\nx,xn--80ak6aa92e.com\nx,аррӏе.com\nx,bücher.de\nx,apple.com\n', 3, 0, 1],
    ['a 300-character domain label among good rows', `a.com\n${'x'.repeat(300)}.com\nb.com\n`, 2, 1, 0],
    ['a 300-character family label', `family,domain\n${'f'.repeat(300)},a.com\ntinba,b.com\n`, 1, 1, 0],
    [
      'a stray NUL line in a text feed',
      `${Array.from({ length: 50 }, (_, i) => `site${i}.com`).join('\n')}\nbad\u0000name.com\n`,
      50,
      1,
      0,
    ],
  ])('%s', async (_name, content, accepted, rejected, duplicate) => {
    const outcome = await ingest(content);
    expect(outcome).toMatchObject({ rowsAccepted: accepted, rowsRejected: rejected, rowsDuplicate: duplicate });
  });

  // Refused as a whole, with the reason named and nothing stored.
  const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024, 'a.com\n'), { level: 9 });
  it.each([
    ['an empty file', Buffer.alloc(0), 'NOT_A_FEED', /empty/],
    ['a binary file', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 'NOT_A_FEED', /binary/],
    [
      'an HTML error page saved as .csv',
      '<!DOCTYPE html>\n<html><head><title>503</title></head><body>Service Unavailable</body></html>\n',
      'NOT_A_FEED',
      /HTML/,
    ],
    ['a header-only feed', 'family,domain\n', 'NOT_A_FEED', /no valid/],
    ['a zip bomb (compression ratio)', bomb, 'COMPRESSION_RATIO', new RegExp(`more than ${MAX_COMPRESSION_RATIO}:1`)],
  ])('refuses %s with a reason, storing nothing', async (_name, content, reason, message) => {
    const err = await ingest(content).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ reason });
    expect((err as Error).message).toMatch(message);
    const stored = await pool.query<{ n: string }>('SELECT (SELECT count(*) FROM snapshots) + (SELECT count(*) FROM memberships) AS n');
    expect(Number(stored.rows[0]!.n)).toBe(0);
  });
});

describe('decompression bombs in a zip', () => {
  // 100 MiB of one repeated line: about 150 KB deflated (700:1).
  const text = Buffer.alloc(100 * 1024 * 1024, 'a.com\n');
  const zipOf = (stream: boolean): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const zip = new ZipFile();
      // A buffer gets its sizes in the local header; a stream gets them in a data descriptor after the data.
      if (stream) zip.addReadStream(Readable.from([text]), 'top-1m.csv');
      else zip.addBuffer(text, 'top-1m.csv');
      zip.end();
      const parts: Buffer[] = [];
      zip.outputStream.on('data', (c: Buffer) => parts.push(c));
      zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
      zip.outputStream.on('error', reject);
    });
  /** Decompressed bytes handed on before the refusal, and the refusal. */
  async function drain(zip: Buffer): Promise<{ bytes: number; err: unknown }> {
    const chunks = Array.from({ length: Math.ceil(zip.length / 65536) }, (_, i) => zip.subarray(i * 65536, (i + 1) * 65536));
    let bytes = 0;
    try {
      const { content } = await decompress('top-1m.csv.zip', Readable.from(chunks), 2 ** 31);
      for await (const chunk of content) bytes += chunk.length;
    } catch (err) {
      return { bytes, err };
    }
    return { bytes, err: null };
  }

  it.each([
    ['with its sizes in the local header', false],
    ['with its sizes in a data descriptor (streamed zip)', true],
  ])('stops a zip bomb %s within a few MB of output, measured against the compressed bytes', async (_name, streamed) => {
    const { bytes, err } = await drain(await zipOf(streamed));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ reason: 'COMPRESSION_RATIO' });
    expect((err as Error).message).toMatch(new RegExp(`more than ${MAX_COMPRESSION_RATIO}:1`));
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('still reads an ordinary zip, stored or deflated, whole', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `${i + 1},site-${(i * 7919) % 100_003}.com`).join('\n');
    for (const compress of [true, false]) {
      const zip = await new Promise<Buffer>((resolve, reject) => {
        const z = new ZipFile();
        z.addEmptyDirectory('data/');
        z.addBuffer(Buffer.from(lines), 'data/top-1m.csv', { compress });
        z.addBuffer(Buffer.from('other'), 'other.txt');
        z.end();
        const parts: Buffer[] = [];
        z.outputStream.on('data', (c: Buffer) => parts.push(c));
        z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
        z.outputStream.on('error', reject);
      });
      const { content } = await decompress('top.zip', Readable.from([zip]), 2 ** 31);
      const out: Buffer[] = [];
      for await (const chunk of content) out.push(chunk);
      expect(Buffer.concat(out).toString('utf8')).toBe(lines);
    }
  });
});
