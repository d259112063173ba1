import 'reflect-metadata';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { createDatabase, type Database } from '../../db/database';
import { IngestionService } from '../ingestion/ingestion.service';
import { SnapshotDomains, type KeyRange } from './snapshot-domains';

let db: TestDatabase;
let database: Database;
let domains: SnapshotDomains;
let snapshot: number;
let other: number;

const ingest = (text: string) =>
  new IngestionService(database.pool, { maxBytes: 1e6 })
    .ingest({
      feed: 'f',
      format: 'labelled-csv',
      source: { kind: 'stream', stream: Readable.from([Buffer.from(text)]), fileName: 'f.csv' },
    })
    .then((o) => o.snapshotId);
const collect = async <T>(pages: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
};

beforeAll(async () => {
  db = await createTestDatabase();
  database = createDatabase(db.url, { max: 2 });
  domains = new SnapshotDomains(database.pool);
  // 50 listings under 3 families, lines out of key order; a second snapshot that must stay out of the pages.
  const families = ['necurs', 'banjori', 'pykspa'];
  const rows = Array.from({ length: 50 }, (_, i) => `${families[i % 3]},n${(i * 37) % 50}x.example`);
  snapshot = await ingest(`family,domain\n${rows.join('\n')}\n`);
  other = await ingest('family,domain\nnecurs,elsewhere.example\n');
});
afterAll(async () => {
  await database?.close();
  await db?.drop();
});

describe('SnapshotDomains.namePages', () => {
  it("reads the listings of pages(), in the same order, as columns: whole, in short pages, and in a bulk job's chunks", async () => {
    const listed = (await collect(domains.pages([snapshot], 1000))).flat();
    expect(listed).toHaveLength(50);
    const expected = { names: listed.map((l) => l.domain), lines: listed.map((l) => l.line) };
    const joined = (pages: { names: string[]; lines: number[] }[]) => ({
      names: pages.flatMap((p) => p.names),
      lines: pages.flatMap((p) => p.lines),
    });
    expect(joined(await collect(domains.namePages(snapshot, 1000)))).toEqual(expected);
    const short = await collect(domains.namePages(snapshot, 7));
    expect(short.map((p) => p.names.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(joined(short)).toEqual(expected);
    const chunks: KeyRange[] = await domains.chunkBounds(snapshot, 16);
    const inChunks = await Promise.all(chunks.map((range) => collect(domains.namePages(snapshot, 5, range))));
    expect(inChunks.map((c) => joined(c).names.length)).toEqual([16, 16, 16, 2]);
    expect(joined(inChunks.flat())).toEqual(expected);
  });

  it('reads nothing for a snapshot without listings or past its last key', async () => {
    expect(await collect(domains.namePages(other + 1, 10))).toEqual([]);
    const [last] = (await domains.chunkBounds(snapshot, 50)).map((r) => r.upTo);
    expect(await collect(domains.namePages(snapshot, 10, { after: last }))).toEqual([]);
  });
});
