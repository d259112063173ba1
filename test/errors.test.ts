import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { ADMIN_KEY } from './support/test-env';

// Wrong input gets its documented code and a short message naming the problem: no internals,
// no stack traces, no echo of megabytes of input.

let api: ApiHarness;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dgascope-errors-'));
  mkdirSync(path.join(dir, 'feeds'));
  writeFileSync(path.join(dir, 'top.csv'), '1,google.com\n');
  api = await startApi({ allowedDirs: [dir] });
});
afterAll(() => api?.close());

const admin = { key: ADMIN_KEY };
const INGEST = `mutation($input: IngestSnapshotInput!) { ingestSnapshot(input: $input) { snapshot { id } } }`;
const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

describe('errors name the problem with a stable code, and leak nothing', () => {
  it('answers a JSON body over the limit with a GraphQL-shaped 413, and malformed JSON with a GraphQL-shaped 400', async () => {
    const big = await post(JSON.stringify({ query: '{ health { database } }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } }));
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await big.json()) as any;
    expect(body.errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', reason: 'BODY_TOO_LARGE' });
    expect(body.errors[0].message).toMatch(/larger than/);
    const broken = await post('{"query": "{ health { database } }"');
    expect(broken.status).toBe(400);
    const text = await broken.text();
    expect(JSON.parse(text).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'INVALID_JSON' });
    expect(text).not.toMatch(/node_modules|at \w+ \(|<html/i);
  });

  it('refuses a NUL character in any argument with its own reason, before anything runs or is audited', async () => {
    const before = await api.deps.db.prisma.auditEntry.count();
    const r = await api.gql(`mutation($f: String!) { addFamilyAlias(family: $f, alias: "x") { name } }`, { f: 'tin\u0000ba' }, admin);
    expect(r.status).toBe(400);
    expect(r.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'NUL_CHARACTER' });
    const inline = await api.gql(`{ families(first: 5, search: "a\\u0000b") { totalCount } }`);
    expect(inline.errors![0]!.extensions!.reason).toBe('NUL_CHARACTER');
    expect(await api.deps.db.prisma.auditEntry.count()).toBe(before);
  });

  it('completes an audit entry whose error message holds a NUL character', async () => {
    await expect(
      api.deps.audit.around(
        { actor: 'test', apiKeyId: null, via: 'graphql', action: 'test', arguments: { name: 'a\u0000b' } },
        async () => {
          throw new Error('broken\u0000message');
        },
        () => 'FAILED_TEST',
      ),
    ).rejects.toThrow(/broken/);
    const entry = await api.deps.db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'test' } });
    expect(entry.outcome).toBe('FAILED_TEST');
    expect(entry.error).toBe('broken\\0message');
  });

  it('reports a directory given as a path as not a file', async () => {
    const r = await api.gql(INGEST, { input: { feed: 'dir', path: path.join(dir, 'feeds') } }, admin);
    expect(r.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'SOURCE_NOT_A_FILE' });
    expect(r.errors![0]!.message).not.toMatch(/EISDIR/);
  });

  it('cuts echoed input short', async () => {
    const huge = 'f'.repeat(1_900_000);
    const r = await api.gql(`query($f: String!) { snapshotDomains(snapshotId: 1, family: $f) { totalCount } }`, { f: huge });
    expect(r.errors).toBeDefined();
    expect(JSON.stringify(r.errors).length).toBeLessThan(2000);
    const literal = await api.gql(`{ feeds(first: "${'y'.repeat(100_000)}") { totalCount } }`);
    expect(JSON.stringify(literal.errors).length).toBeLessThan(2000);
  });

  it('never sends stack traces unless DEBUG_ERRORS is set', async () => {
    const bad = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-key-0000000000' },
      body: JSON.stringify({ query: '{ health { database } }' }),
    });
    expect(bad.status).toBe(401);
    const text = await bad.text();
    expect(JSON.parse(text).errors[0].extensions.reason).toBe('INVALID_API_KEY');
    expect(text).not.toMatch(/stacktrace|\/work\/|node_modules/);
    const debug = await api.variant({ DEBUG_ERRORS: true });
    const traced = await fetch(debug.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-key-0000000000' },
      body: JSON.stringify({ query: '{ health { database } }' }),
    });
    expect(JSON.parse(await traced.text()).errors[0].extensions.stacktrace).toBeDefined();
  });
});

describe('server-side paths', () => {
  it('answers alike for existing and missing files outside INGEST_ALLOWED_DIRS (no existence oracle)', async () => {
    const answers = [];
    for (const p of ['/etc/passwd', '/etc/no-such-file-here', '/nonexistent/dir/x.csv', `${dir}/../etc-passwd`]) {
      const r = await api.gql(INGEST, { input: { feed: 'oracle', path: p } }, admin);
      answers.push(r.errors![0]!.extensions);
      expect(r.errors![0]!.message).toBe(`${p}: outside INGEST_ALLOWED_DIRS`);
    }
    expect(answers.every((a) => a!.reason === 'PATH_NOT_ALLOWED')).toBe(true);
    // Inside the allowed directory a missing file is named as such, and a file is read.
    const missing = await api.gql(INGEST, { input: { feed: 'inside', path: path.join(dir, 'missing.csv') } }, admin);
    expect(missing.errors![0]!.extensions!.reason).toBe('SOURCE_NOT_FOUND');
    const ok = await api.gql(INGEST, { input: { feed: 'inside', path: path.join(dir, 'top.csv') } }, admin);
    expect(ok.errors).toBeUndefined();
  });
});
