import { Agent, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { ADMIN_KEY } from './support/test-env';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const INGEST = `mutation($input: IngestSnapshotInput!) { ingestSnapshot(input: $input) { snapshot { id } } }`;
const auditCount = async () => (await api.deps.db.prisma.auditEntry.count()) as number;

function upload(url: string, feed: string, content: string) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: INGEST, variables: { input: { feed, file: null } } }));
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', new Blob([content]), 'top.csv');
  return fetch(url, { method: 'POST', body: form, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': 'true' } });
}

/** The same multipart request, sent with Transfer-Encoding: chunked (no Content-Length), in 16 KiB chunks. */
async function chunkedUpload(url: string, feed: string, content: string): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: INGEST, variables: { input: { feed, file: null } } }));
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', new Blob([content]), 'top.csv');
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': encoded.headers.get('content-type')!,
          authorization: `Bearer ${ADMIN_KEY}`,
          'apollo-require-preflight': 'true',
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 16384) req.write(body.subarray(i, i + 16384));
    req.end();
  });
}

describe('GraphQL limits: each refused with its own reason before anything runs', () => {
  it('refuses a query nested deeper than MAX_QUERY_DEPTH, mutations included (no audit entry: nothing ran)', async () => {
    const shallow = await api.gql(`{ snapshots(first: 1) { nodes { feed { name } } } }`);
    expect(shallow.errors).toBeUndefined();
    const strict = await api.variant({ MAX_QUERY_DEPTH: 3 });
    const deep = await strict.gql(`{ snapshots(first: 1) { edges { node { feed { name } } } } }`);
    expect(deep.status).toBe(400);
    expect(deep.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP' });
    expect(deep.errors![0]!.message).toMatch(/depth limit of 3 exceeded, found [45]/);
    const before = await auditCount();
    const mutation = await strict.gql(
      `mutation { promoteModel(id: 1) { snapshotIds metrics { perFamily { family } } } }`,
      {},
      { key: ADMIN_KEY },
    );
    expect(mutation.errors![0]!.extensions!.reason).toBe('QUERY_TOO_DEEP');
    expect(await auditCount()).toBe(before);
  });

  it('refuses a query whose cost (fields × page sizes) exceeds MAX_QUERY_COST', async () => {
    const cheap = await api.variant({ MAX_QUERY_COST: 200 });
    expect((await cheap.gql(`{ feeds(first: 10) { nodes { id name } } }`)).errors).toBeUndefined();
    const costly = await cheap.gql(`query Q($n: Int!) { feeds(first: $n) { nodes { id name kind } } }`, { n: 100 });
    expect(costly.status).toBe(400);
    expect(costly.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY' });
    expect(costly.errors![0]!.message).toMatch(/query cost \d+ is above the limit of 200/);
  });

  it('refuses a page larger than MAX_PAGE_SIZE, in variables too, and honours a configured size', async () => {
    const r = await api.gql(`query($n: Int!) { snapshots(first: $n) { totalCount } }`, { n: 501 });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PAGE_SIZE_EXCEEDED' });
    expect(r.errors![0]!.message).toBe('first: 501 is larger than the largest page, 500');
    const small = await api.variant({ MAX_PAGE_SIZE: 20 });
    expect((await small.gql(`{ families(first: 20) { totalCount } }`)).errors).toBeUndefined();
    expect((await small.gql(`{ families(first: 21) { totalCount } }`)).errors![0]!.extensions!.reason).toBe('PAGE_SIZE_EXCEEDED');
    const zero = await api.gql(`{ snapshots(first: 0) { totalCount } }`);
    expect(zero.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an upload larger than MAX_UPLOAD_BYTES from its announced size, and ingests nothing', async () => {
    const tight = await api.variant({ MAX_UPLOAD_BYTES: 2048 });
    const res = await upload(tight.url, 'too-big', Array.from({ length: 400 }, (_, i) => `${i + 1},site${i}.com`).join('\n'));
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', reason: 'UPLOAD_TOO_LARGE' });
    const ok = await upload(tight.url, 'small', '1,google.com\n2,example.org\n');
    expect(((await ok.json()) as any).errors).toBeUndefined();
    expect(await api.deps.db.prisma.feed.findMany({ select: { name: true } })).toEqual([{ name: 'small' }]);
  });

  it('refuses alias flooding of expensive fields at once: aliases, root fields and fields priced by their work', async () => {
    const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const started = Date.now();
    const flood = await api.gql(aliases(4900, 'unseenFamilies(a: 1, b: 2) { appearedFraction }'));
    expect(flood.status).toBe(400);
    expect(flood.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_ALIASES' });
    expect(flood.errors![0]!.message).toMatch(/4900 aliases; at most 30/);
    const more = await api.gql(aliases(5000, 'health { database }'));
    expect(more.status).toBe(400);
    expect(more.errors![0]!.extensions!.reason).toBe('TOO_MANY_ALIASES');
    expect(Date.now() - started).toBeLessThan(5000);
    // Within the alias cap, the analytics fields cost what they do: 60 runs of unseenFamilies is too costly.
    const lax = await api.variant({ MAX_ALIASES: 10_000, MAX_ROOT_FIELDS: 10_000 });
    const priced = await lax.gql(aliases(60, 'unseenFamilies(a: 1, b: 2) { appearedFraction }'));
    expect(priced.status).toBe(400);
    expect(priced.errors![0]!.extensions!.reason).toBe('QUERY_TOO_COSTLY');
    const wide = await lax.gql(`{ skew(snapshotIds: [${Array.from({ length: 120 }, (_, i) => i + 1).join(',')}]) { total } }`);
    expect(wide.errors![0]!.extensions!.reason).toBe('QUERY_TOO_COSTLY');
    expect((await lax.gql(aliases(300, 'health { database }'))).errors![0]!.extensions!.reason).toBe('QUERY_TOO_COSTLY');
    const roots = await api.gql(
      aliases(21, 'feeds(first: 1) { totalCount }').replace(/a(\d+): /g, (_m, i) => (Number(i) < 10 ? `a${i}: ` : '')),
    );
    expect(roots.status).toBe(400);
    expect(roots.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_ROOT_FIELDS' });
    // The complexity library's own node cap (5,000 aliases where the cap allows them): a 400 with its own reason, not a 500.
    const huge = await lax.gql(aliases(5001, 'health { database }'));
    expect(huge.status).toBe(400);
    expect(huge.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_LARGE' });
    // Ordinary use is untouched.
    const ok = await api.gql(`{ a: health { database } b: health { redis } feeds(first: 5) { totalCount } }`);
    expect(ok.errors).toBeUndefined();
  });

  it('cancels SQL that runs past STATEMENT_TIMEOUT_MS with its own reason, and ingestion is exempt', async () => {
    const bounded = await startApi({ statementTimeoutMs: 500 });
    const locker = await bounded.deps.db.pool.connect();
    try {
      const { snapshotId } = await bounded.deps.ingestion.ingest({
        feed: 'tiny',
        source: { kind: 'stream', stream: Readable.from([Buffer.from('1,google.com\n2,example.org\n')]), fileName: 'top.csv' },
      });
      // Analytics work that cannot finish (its table is locked) is cancelled by PostgreSQL.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE snapshot_family_counts IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const r = await bounded.gql(`query($s: Int!) { skew(snapshotIds: [$s]) { total } }`, { s: snapshotId });
      expect(r.errors![0]!.extensions).toEqual({ code: 'REQUEST_TIMEOUT', reason: 'STATEMENT_TIMEOUT' });
      expect(r.errors![0]!.message).toMatch(/STATEMENT_TIMEOUT_MS/);
      expect(Date.now() - started).toBeLessThan(10_000);
      await locker.query('ROLLBACK');
      expect((await bounded.gql(`query($s: Int!) { skew(snapshotIds: [$s]) { total } }`, { s: snapshotId })).data).toEqual({
        skew: { total: 2 },
      });
      // An ingestion whose merge waits longer than the timeout still completes.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE snapshot_family_counts IN ACCESS EXCLUSIVE MODE');
      const ingest = bounded.deps.ingestion.ingest({
        feed: 'tiny',
        source: { kind: 'stream', stream: Readable.from([Buffer.from('1,google.org\n')]), fileName: 'top2.csv' },
      });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await locker.query('ROLLBACK');
      expect(await ingest).toMatchObject({ created: true, rowsAccepted: 1 });
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      await bounded.close();
    }
  });

  it('refuses a chunked upload (no Content-Length) that grows past MAX_UPLOAD_BYTES whole, storing nothing', async () => {
    const tight = await api.variant({ MAX_UPLOAD_BYTES: 1_000_000 });
    const list = Array.from({ length: 100_000 }, (_, i) => `${i + 1},chunked-site${i}.com`).join('\n');
    const r = await chunkedUpload(tight.url, 'chunked-too-big', list);
    expect(r.body.data?.ingestSnapshot ?? null).toBeNull();
    expect(r.body.errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', reason: 'UPLOAD_TOO_LARGE' });
    expect(r.body.errors[0].message).toMatch(/MAX_UPLOAD_BYTES/);
    expect(await api.deps.db.prisma.snapshot.count({ where: { feed: { name: 'chunked-too-big' } } })).toBe(0);
    // Past the limit before the resolver asks for the file: the same refusal.
    const tiny = await api.variant({ MAX_UPLOAD_BYTES: 20_000 });
    const early = await chunkedUpload(tiny.url, 'chunked-too-big', list.slice(0, 200_000));
    expect(early.body.errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', reason: 'UPLOAD_TOO_LARGE' });
    const small = await chunkedUpload(tight.url, 'chunked-small', '1,google.com\n2,example.org\n');
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data.ingestSnapshot.snapshot.id).toBeGreaterThan(0);
  });

  it('answers 503 REQUEST_TIMEOUT past REQUEST_TIMEOUT_MS, exempts ingestion, and keeps serving', async () => {
    const hasty = await api.variant({ REQUEST_TIMEOUT_MS: 1 });
    const r = await hasty.gql(`{ snapshots(first: 50) { totalCount nodes { feed { name } } } families(first: 50) { totalCount } }`);
    expect(r.status).toBe(503);
    expect(r.errors![0]!.extensions).toEqual({ code: 'REQUEST_TIMEOUT', reason: 'REQUEST_TIMEOUT' });
    const ingest = await upload(hasty.url, 'exempt', '1,google.com\n');
    expect(ingest.status).toBe(200);
    expect(((await ingest.json()) as any).data.ingestSnapshot.snapshot.id).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the abandoned request finishes in the background
    expect((await api.gql(`{ health { database } }`)).data).toEqual({ health: { database: true } });
  });

  it('exempts only operations whose root fields are all ingestSnapshot: not a mention in a comment, not any multipart request', async () => {
    const hasty = await api.variant({ REQUEST_TIMEOUT_MS: 1 });
    const heavy = `{ snapshots(first: 50) { totalCount nodes { feed { name } } } families(first: 50) { totalCount } }`;
    const commented = await hasty.gql(`# ingestSnapshot\n${heavy}`);
    expect(commented.status).toBe(503);
    expect(commented.errors![0]!.extensions!.reason).toBe('REQUEST_TIMEOUT');
    const aliased = await hasty.gql(`query ingestSnapshot { ingestSnapshot: snapshots(first: 50) { totalCount } ${heavy.slice(1)}`);
    expect(aliased.status).toBe(503);
    // A multipart request that uploads a file beside a plain query.
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: heavy, variables: { f: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob(['1,google.com\n']), 'top.csv');
    const multipart = await fetch(hasty.url, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true' } });
    expect(multipart.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await api.gql(`{ health { database } }`)).data).toEqual({ health: { database: true } });
  });

  it('keeps an idle keep-alive connection open past any client’s own idle limit (undici: 4 s), so reusing it never meets a reset', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = httpRequest(api.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ query: '{ health { database } }' }));
      });
    try {
      expect(await post()).toEqual({ status: 200, reused: false });
      // Node's default would have closed it at 5 s.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await post()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('turns introspection off when configured (the production default)', async () => {
    const open = await api.gql(`{ __schema { queryType { name } } }`);
    expect(open.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const closed = await (await api.variant({ INTROSPECTION: false })).gql(`{ __schema { queryType { name } } }`);
    expect(closed.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(closed.errors![0]!.message).toMatch(/introspection is not allowed/i);
  });

  it('keeps CSRF prevention on and CORS to the dashboard origin', async () => {
    const simple = await fetch(`${api.url}?query=${encodeURIComponent('{ health { database } }')}`);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
    const preflight = await fetch(api.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const dashboard = await fetch(api.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' },
    });
    expect(dashboard.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
  });
});
