import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { normalizeDomain } from '@dgascope/core';
import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { createTestDatabase, truncateAll, type TestDatabase } from '../../../../../test/support/test-database';
import { SHARED_DATA } from '../../../../../test/support/test-env';
import { AppError } from '../../errors/app-error';
import { IngestionService } from './ingestion.service';

let db: TestDatabase;
let pool: Pool;
let service: IngestionService;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 4 });
  service = new IngestionService(pool, { maxBytes: 50 * 1024 * 1024 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});
beforeEach(() => truncateAll(db.url));

const streamOf = (text: string | Buffer, fileName = 'upload.txt') => ({
  kind: 'stream' as const,
  stream: Readable.from([Buffer.from(text)]),
  fileName,
});
const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

function zipOf(name: string, content: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    zip.addBuffer(content, name);
    zip.end();
    const parts: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => parts.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    zip.outputStream.on('error', reject);
  });
}

describe('IngestionService', () => {
  it('ingests a real 100k-row top list, with counts computed independently', async () => {
    const file = path.join(SHARED_DATA, 'benign/umbrella-top100k-2026-07-06.txt.gz');
    const names = gunzipSync(readFileSync(file))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const valid = names.map((n) => normalizeDomain(n)).flatMap((r) => (r.ok ? [r.domain] : []));
    const distinct = new Set(valid).size;

    const outcome = await service.ingest({ feed: 'umbrella', source: { kind: 'path', path: file } });

    expect(outcome).toMatchObject({
      created: true,
      format: 'plain-list',
      rowsRead: names.length,
      rowsAccepted: distinct,
      rowsRejected: names.length - valid.length,
      rowsDuplicate: valid.length - distinct,
    });
    expect(await count('memberships')).toBe(distinct);
    expect(await count('rejections')).toBe(names.length - valid.length);
    const counts = await pool.query('SELECT f.name, c.count FROM snapshot_family_counts c JOIN families f ON f.id = c.family_id');
    expect(counts.rows).toEqual([{ name: 'benign', count: distinct }]);
    const feed = await pool.query('SELECT kind FROM feeds');
    expect(feed.rows).toEqual([{ kind: 'BENIGN' }]);
  });

  it('does not duplicate anything when the same file is ingested again', async () => {
    const file = path.join(SHARED_DATA, 'dga/netlab360-2017-07-04.tsv');
    const first = await service.ingest({ feed: 'netlab', source: { kind: 'path', path: file } });
    const second = await service.ingest({ feed: 'netlab', source: { kind: 'path', path: file } });
    // Same bytes arriving as a stream (upload/URL) are recognised after reading them.
    const third = await service.ingest({ feed: 'netlab', source: streamOf(readFileSync(file), 'again.tsv') });
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
    expect(third).toEqual({ ...first, created: false });
    expect(await count('snapshots')).toBe(1);
    expect(await count('memberships')).toBe(first.rowsAccepted);
    // The same file for another feed is another snapshot.
    const other = await service.ingest({ feed: 'netlab-mirror', source: { kind: 'path', path: file } });
    expect(other.created).toBe(true);
    expect(await count('snapshots')).toBe(2);
    expect(await count('domains')).toBe(first.rowsAccepted);
  });

  it('stores rejected rows with line numbers and keeps every accepted row', async () => {
    const feed = [
      '## Feed generated at: Sat Nov 12 00:15:01 UTC 2016',
      '## Feed Provided By: John Bambenek of Bambenek Consulting',
      'aaaa.com,Domain used by tinba DGA for 10 Nov 2016,2016-11-10,http://x/tinba.txt',
      'bad domain.com,Domain used by tinba DGA for 10 Nov 2016,2016-11-10,http://x/tinba.txt',
      'bbbb.com,Domain used by banjori - not date seeded,2016-11-10,http://x/banjori.txt',
      'cccc.com,Domain used by pykspa (varying date seeds),11/10/2016,http://x/pykspa.txt',
      'aaaa.com,Domain used by tinba DGA for 10 Nov 2016,2016-11-10,http://x/tinba.txt',
      'dddd.com,Domain used by Cryptolocker - Flashback DGA for 10 Nov 2016,2016-11-10,http://x/cl.txt',
    ].join('\r\n');
    const outcome = await service.ingest({ feed: 'bambenek', source: streamOf(feed, 'dga-feed.csv') });
    expect(outcome).toMatchObject({ format: 'bambenek', rowsRead: 6, rowsAccepted: 3, rowsRejected: 2, rowsDuplicate: 1 });
    const rejections = await pool.query('SELECT line, reason, raw FROM rejections ORDER BY line');
    expect(rejections.rows).toEqual([
      { line: 4, reason: 'domain: invalid character in "bad domain.com"', raw: feed.split('\r\n')[3] },
      { line: 6, reason: 'date: "11/10/2016" is not a YYYY-MM-DD date', raw: feed.split('\r\n')[5] },
    ]);
    const rows = await pool.query(
      `SELECT d.name, f.name AS family, m.line, m.listed_on::text, m.manual_url, m.description
       FROM memberships m JOIN domains d ON d.id = m.domain_id JOIN families f ON f.id = m.family_id ORDER BY m.line`,
    );
    expect(rows.rows.map((r) => [r.name, r.family, r.line])).toEqual([
      ['aaaa.com', 'tinba', 3],
      ['bbbb.com', 'banjori', 5],
      ['dddd.com', 'Cryptolocker - Flashback', 8],
    ]);
    expect(rows.rows[0]).toMatchObject({ listed_on: '2016-11-10', manual_url: 'http://x/tinba.txt' });
    const snapshot = await pool.query('SELECT taken_at FROM snapshots');
    expect(snapshot.rows[0].taken_at.toISOString()).toBe('2016-11-12T00:15:01.000Z');
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /empty/],
    ['a binary file', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]), /binary/],
    ['an HTML error page saved as .csv', Buffer.from('<!DOCTYPE html><html><body>404</body></html>\n'), /HTML/],
    ['a header-only feed', Buffer.from('#### Bambenek DGA feed\n## nothing today\n'), /no data rows/],
    [
      'a feed where no row is valid',
      Buffer.from('bad!name.com\nother!bad.com\n'),
      /no valid plain-list rows, 2 rejected \(line 1: domain: invalid character/,
    ],
  ])('refuses %s as a whole and stores nothing', async (_name, content, reason) => {
    const error = await service.ingest({ feed: 'x', source: streamOf(content, 'top-1m.csv') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).reason).toBe('NOT_A_FEED');
    expect((error as AppError).message).toMatch(/^top-1m\.csv: /);
    expect((error as AppError).message).toMatch(reason);
    for (const table of ['feeds', 'snapshots', 'memberships', 'rejections', 'domains', 'families']) expect(await count(table)).toBe(0);
  });

  it('reads top lists inside .zip and .gz', async () => {
    const csv = Buffer.from('1,google.com\n2,Facebook.com.\n3,bad_domain!\n');
    const zipped = await service.ingest({ feed: 'umbrella', source: streamOf(await zipOf('top-1m.csv', csv), 'top-1m.csv.zip') });
    expect(zipped).toMatchObject({ format: 'rank-csv', rowsAccepted: 2, rowsRejected: 1 });
    const gz = await service.ingest({ feed: 'tranco', source: streamOf(gzipSync(csv), 'top-1m.csv.gz') });
    expect(gz).toMatchObject({ format: 'rank-csv', rowsAccepted: 2, rowsRejected: 1 });
    const ranks = await pool.query(
      `SELECT d.name, m.rank FROM memberships m JOIN domains d ON d.id = m.domain_id WHERE m.snapshot_id = $1 ORDER BY m.rank`,
      [zipped.snapshotId],
    );
    expect(ranks.rows).toEqual([
      { name: 'google.com', rank: 1 },
      { name: 'facebook.com', rank: 2 },
    ]);
  });

  it('refuses a decompressed size over the limit (zip bomb) and stores nothing', async () => {
    const small = new IngestionService(pool, { maxBytes: 1024 * 1024 });
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 'a.com\n'));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(small.ingest({ feed: 'bomb', source: streamOf(bomb, 'bomb.gz') })).rejects.toThrow(
      /larger than the 1048576-byte ingestion limit/,
    );
    expect(await count('snapshots')).toBe(0);
  });

  it('streams an http(s) URL and honours an explicit format', async () => {
    const body = gzipSync(readFileSync(path.join(SHARED_DATA, 'dga/netlab360-2017-07-04.tsv')));
    const server: Server = createServer((req, res) => {
      if (req.url === '/feeds/netlab.tsv.gz') res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
      else res.writeHead(404).end('<html><body>not found</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // A loopback server: allowed explicitly, as an internal mirror would be.
      const mirror = new IngestionService(pool, { maxBytes: 50 * 1024 * 1024, url: { allow: ['127.0.0.1'], idleTimeoutMs: 5000 } });
      const outcome = await mirror.ingest({
        feed: 'netlab',
        source: { kind: 'url', url: `${base}/feeds/netlab.tsv.gz` },
        format: 'netlab-tsv',
      });
      expect(outcome).toMatchObject({ created: true, format: 'netlab-tsv', rowsRejected: 0 });
      const snapshot = await pool.query('SELECT file_name, source_url, byte_size FROM snapshots');
      expect(snapshot.rows[0]).toEqual({
        file_name: 'netlab.tsv.gz',
        source_url: `${base}/feeds/netlab.tsv.gz`,
        byte_size: String(body.length),
      });
      await expect(mirror.ingest({ feed: 'netlab', source: { kind: 'url', url: `${base}/missing.csv` } })).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });

  it('leaves every membership pointing at an existing snapshot, family and domain (the table has no FK constraints)', async () => {
    await service.ingest({ feed: 'netlab', source: { kind: 'path', path: path.join(SHARED_DATA, 'dga/netlab360-2017-07-04.tsv') } });
    await service.ingest({
      feed: 'mixed',
      format: 'labelled-csv',
      source: streamOf('family,domain\nnymaim,vfperbkzbon.biz\ntinba,new-one.com\ntinba,bad name\n'),
    });
    await expect(service.ingest({ feed: 'broken', source: streamOf('<html>oops</html>') })).rejects.toThrow(AppError);
    const orphans = await pool.query(`
      SELECT count(*) AS n FROM memberships m
      LEFT JOIN snapshots s ON s.id = m.snapshot_id
      LEFT JOIN families f ON f.id = m.family_id
      LEFT JOIN domains d ON d.id = m.domain_id
      WHERE s.id IS NULL OR f.id IS NULL OR d.id IS NULL`);
    expect(Number(orphans.rows[0].n)).toBe(0);
    const counts = await pool.query(`
      SELECT count(*) AS n FROM snapshot_family_counts c
      WHERE c.count <> (SELECT count(*) FROM memberships m WHERE m.snapshot_id = c.snapshot_id AND m.family_id = c.family_id)`);
    expect(Number(counts.rows[0].n)).toBe(0);
    expect(await count('memberships')).toBeGreaterThan(9000);
  });

  it('gives each snapshot its own indexed partition of memberships, and leaves no staging table or partition behind a failure', async () => {
    const partitions = async () =>
      (
        await pool.query<{ name: string; bound: string }>(
          `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'memberships'::regclass ORDER BY c.relname`,
        )
      ).rows;
    const stages = async () => count(`pg_class WHERE relname LIKE 'ingest_stage%'`);
    // Two different files of one feed at the same time: both complete, neither waits forever.
    const [a, b] = await Promise.all([
      service.ingest({ feed: 'top', source: streamOf('1,google.com\n2,example.org\n3,bad!name\n') }),
      service.ingest({ feed: 'top', source: streamOf('1,example.org\n2,new-name.net\n') }),
    ]);
    expect(await partitions()).toEqual(
      [a, b]
        .map((o) => ({ name: `memberships_${o.snapshotId}`, bound: `FOR VALUES IN (${o.snapshotId})` }))
        .sort((x, y) => x.name.localeCompare(y.name)),
    );
    expect(await count('domains')).toBe(3);
    const indexes = await pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [
      `memberships_${a.snapshotId}`,
    ]);
    expect(indexes.rows.map((r) => r.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (domain_id)',
      'btree (snapshot_id, family_id, domain_id)',
    ]);

    // Refused after its lines were staged: the transaction, the stage with it, is rolled back.
    await expect(service.ingest({ feed: 'top', source: streamOf('bad!one\nbad!two\n') })).rejects.toThrow(/no valid/);
    expect(await partitions()).toHaveLength(2);
    expect(await stages()).toBe(0);
    expect(await count('snapshots')).toBe(2);
  });

  it('resolves family aliases to one family', async () => {
    await pool.query(`INSERT INTO families (name, aliases) VALUES ('Post Tovar GOZ', ARRAY['post', 'newgoz'])`);
    await service.ingest({ feed: 'labelled', source: streamOf('post,abc.com\nnewgoz,def.com\nPost Tovar GOZ,ghi.com\n') });
    const counts = await pool.query('SELECT f.name, c.count FROM snapshot_family_counts c JOIN families f ON f.id = c.family_id');
    expect(counts.rows).toEqual([{ name: 'Post Tovar GOZ', count: 3 }]);
  });
});

describe('URL ingestion: internal addresses, redirects, Content-Encoding and stalls', () => {
  const feed = Array.from({ length: 50 }, (_, i) => `${i + 1},mirror-site${i}.com`).join('\n') + '\n';
  let servers: Server[] = [];
  const requests: string[] = [];
  /** A feed server on the given loopback address. */
  async function serve(host: string, handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
    const server = createServer((req, res) => {
      requests.push(`${host}${req.url}`);
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    servers.push(server);
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }
  const withPolicy = (allow: string[], idleTimeoutMs = 5000) =>
    new IngestionService(pool, { maxBytes: 50 * 1024 * 1024, url: { allow, idleTimeoutMs } });
  beforeEach(() => {
    requests.length = 0;
  });
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    servers = [];
  });

  it('refuses loopback, private, link-local and metadata addresses by default, before any request is sent', async () => {
    const base = await serve('127.0.0.1', (_req, res) => res.end(feed));
    const port = new URL(base).port;
    for (const url of [
      `${base}/top.csv`,
      `http://localhost:${port}/top.csv`,
      `http://[::1]:${port}/top.csv`,
      `http://[::ffff:127.0.0.1]:${port}/top.csv`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/top.csv',
      'http://192.168.0.1/top.csv',
      'http://[fd00:ec2::254]/top.csv',
    ]) {
      const err = await service.ingest({ feed: 'ssrf', source: { kind: 'url', url } }).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(AppError);
      expect(err, url).toMatchObject({ category: 'FORBIDDEN', reason: 'SOURCE_URL_BLOCKED' });
      expect((err as Error).message).toMatch(/INGEST_URL_ALLOW/);
    }
    expect(requests).toEqual([]);
    expect(await count('snapshots')).toBe(0);
  });

  it('checks every redirect: an allowed mirror redirecting to another internal address is refused', async () => {
    const secret = await serve('127.0.0.2', (_req, res) => res.end(feed));
    const mirror = await serve('127.0.0.1', (_req, res) => res.writeHead(307, { location: `${secret}/secret.csv` }).end());
    const err = await withPolicy(['127.0.0.1'])
      .ingest({ feed: 'ssrf', source: { kind: 'url', url: `${mirror}/top.csv` } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'SOURCE_URL_BLOCKED' });
    expect((err as Error).message).toContain('127.0.0.2');
    expect(requests).toEqual(['127.0.0.1/top.csv']);
    expect(await count('snapshots')).toBe(0);
  });

  it('follows allowed redirects and records the final URL as the source', async () => {
    const base = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/latest.csv') res.writeHead(302, { location: '/2026/top.csv' }).end();
      else res.end(feed);
    });
    const outcome = await withPolicy(['127.0.0.0/8']).ingest({ feed: 'mirror', source: { kind: 'url', url: `${base}/latest.csv` } });
    expect(outcome).toMatchObject({ created: true, rowsAccepted: 50 });
    const snapshot = await pool.query('SELECT file_name, source_url FROM snapshots');
    expect(snapshot.rows[0]).toEqual({ file_name: 'top.csv', source_url: `${base}/2026/top.csv` });
  });

  it('undoes a gzip Content-Encoding, and refuses a Content-Encoding bomb by its ratio to the bytes received', async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 'a.com\n'), { level: 9 });
    const base = await serve('127.0.0.1', (req, res) => {
      const body = req.url === '/bomb.csv' ? bomb : gzipSync(feed);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
    });
    const net = withPolicy(['127.0.0.1']);
    const ok = await net.ingest({ feed: 'encoded', source: { kind: 'url', url: `${base}/top.csv` } });
    expect(ok).toMatchObject({ created: true, rowsAccepted: 50 });
    const err = await net.ingest({ feed: 'bomb', source: { kind: 'url', url: `${base}/bomb.csv` } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ reason: 'COMPRESSION_RATIO' });
    expect(await count('snapshots')).toBe(1);
  });

  it('fails a feed server that stalls mid-body after INGEST_IDLE_TIMEOUT_MS, storing nothing', async () => {
    const base = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('1,a.com\n'); // 8 bytes, then nothing
    });
    const started = Date.now();
    const err = await withPolicy(['127.0.0.1'], 500)
      .ingest({ feed: 'stalled', source: { kind: 'url', url: `${base}/top.csv` } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ reason: 'SOURCE_STALLED' });
    expect((err as Error).message).toMatch(/sent nothing for 500 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await count('snapshots')).toBe(0);
  });
});
