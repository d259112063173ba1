import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { prepareData } from '@dgascope/ml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './support/api-harness';
import { ADMIN_KEY } from './support/test-env';

const DEMO = path.resolve(__dirname, '..', 'data', 'demo');
const HIGH = path.join(DEMO, 'dga-feed-high-2018-10-14.csv.gz');
const FULL = path.join(DEMO, 'dga-feed-2018-12-31.csv.gz');

/**
 * Family counts of a Bambenek file computed here, independently of the product's parser:
 * the demo descriptions have four known endings, stripped literally.
 */
function expectedCounts(file: string): Map<string, number> {
  const pairs = new Set<string>();
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [domain, description] = line.split(',');
    const family = description!
      .replace(/^Domain used by /, '')
      .replace(/ DGA for \d{2} \w{3} \d{4}$/, '')
      .replace(/ - not date seeded$/, '')
      .replace(/ \(varying date seeds\)$/, '')
      .replace(/ \(uses previous 31 days as seed\)$/, '');
    pairs.add(`${family}\u0000${domain!.toLowerCase()}`);
  }
  const counts = new Map<string, number>();
  for (const pair of pairs) {
    const family = pair.split('\u0000')[0]!;
    counts.set(family, (counts.get(family) ?? 0) + 1);
  }
  return counts;
}

const INGEST = `mutation($input: IngestSnapshotInput!) {
  ingestSnapshot(input: $input) { created message snapshot { id rowsAccepted rowsRejected rowsDuplicate format takenAt feed { name kind } } }
}`;

let api: ApiHarness;
let high: number;
let full: number;
const countsHigh = expectedCounts(HIGH);
const countsFull = expectedCounts(FULL);

beforeAll(async () => {
  api = await startApi({ allowedDirs: [DEMO] });
  const a = await api.gql(INGEST, { input: { feed: 'bambenek-high', path: HIGH } }, { key: ADMIN_KEY });
  const b = await api.gql(INGEST, { input: { feed: 'bambenek', path: FULL } }, { key: ADMIN_KEY });
  expect(a.errors).toBeUndefined();
  expect(b.errors).toBeUndefined();
  high = a.data!.ingestSnapshot.snapshot.id;
  full = b.data!.ingestSnapshot.snapshot.id;
});
afterAll(() => api?.close());

describe('ingestion through GraphQL', () => {
  it('stores the snapshot with the feed header date and the counts', async () => {
    const r = await api.gql(
      `query($id: Int!) { snapshot(id: $id) { rowsAccepted rowsRejected format takenAt familyCount feed { name kind snapshotCount } } }`,
      { id: high },
    );
    const total = [...countsHigh.values()].reduce((s, n) => s + n, 0);
    expect(r.data!.snapshot).toEqual({
      rowsAccepted: total,
      rowsRejected: 0,
      format: 'bambenek',
      takenAt: '2018-10-14T00:15:01.000Z',
      familyCount: countsHigh.size,
      feed: { name: 'bambenek-high', kind: 'DGA', snapshotCount: 1 },
    });
  });

  it('says so when the same file is ingested again, and adds nothing', async () => {
    const again = await api.gql(INGEST, { input: { feed: 'bambenek-high', path: HIGH } }, { key: ADMIN_KEY });
    expect(again.data!.ingestSnapshot).toMatchObject({ created: false, snapshot: { id: high } });
    expect(again.data!.ingestSnapshot.message).toMatch(/already ingested as snapshot/);
    const snapshots = await api.gql(`{ snapshots(first: 10) { totalCount } }`);
    expect(snapshots.data!.snapshots.totalCount).toBe(2);
  });

  it('ingests an uploaded file (GraphQL multipart request)', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: INGEST, variables: { input: { feed: 'upload', file: null } } }));
    form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.append('0', new Blob(['1,google.com\n2,bad_name!\n3,example.org\n']), 'top-3.csv');
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': 'true' },
    });
    const body = (await res.json()) as {
      data: {
        ingestSnapshot: { snapshot: { id: number; rowsAccepted: number; rowsRejected: number; format: string; feed: { kind: string } } };
      };
    };
    expect(body.data.ingestSnapshot.snapshot).toMatchObject({
      rowsAccepted: 2,
      rowsRejected: 1,
      format: 'rank-csv',
      feed: { kind: 'BENIGN' },
    });
    const rejections = await api.gql(`query($id: Int!) { snapshot(id: $id) { rejections(first: 10) { nodes { line reason raw } } } }`, {
      id: body.data.ingestSnapshot.snapshot.id,
    });
    expect(rejections.data!.snapshot.rejections.nodes).toEqual([
      { line: 2, reason: 'domain: invalid character in "bad_name!"', raw: '2,bad_name!' },
    ]);
  });

  it('refuses server-side paths outside INGEST_ALLOWED_DIRS', async () => {
    const r = await api.gql(INGEST, { input: { feed: 'x', path: '/etc/passwd' } }, { key: ADMIN_KEY });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PATH_NOT_ALLOWED' });
  });

  it('refuses a non-feed as a whole with a message naming the file', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: INGEST, variables: { input: { feed: 'html', file: null } } }));
    form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.append('0', new Blob(['<!DOCTYPE html><html><body>503</body></html>']), 'dga-feed.csv');
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': 'true' },
    });
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toMatch(/^dga-feed\.csv: the file is an HTML\/XML page/);
    const feeds = await api.gql(`{ feeds(first: 50) { nodes { name } } }`);
    expect(feeds.data!.feeds.nodes.map((f: { name: string }) => f.name)).not.toContain('html');
  });
});

describe('analytics through GraphQL', () => {
  it('class skew matches counts computed independently', async () => {
    const r = await api.gql(
      `query($ids: [Int!]!) { skew(snapshotIds: $ids, top: 3) { total familyCount families { family count fraction rank } head { family } tail { family } } }`,
      {
        ids: [high],
      },
    );
    const skew = r.data!.skew;
    const total = [...countsHigh.values()].reduce((s, n) => s + n, 0);
    expect(skew.total).toBe(total);
    expect(skew.familyCount).toBe(countsHigh.size);
    const got = new Map<string, number>(skew.families.map((f: { family: string; count: number }) => [f.family, f.count]));
    expect(got).toEqual(countsHigh);
    for (const f of skew.families) expect(f.fraction).toBeCloseTo(f.count / total, 12);
    const counts = skew.families.map((f: { count: number }) => f.count);
    expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x));
    expect(skew.head.map((f: { family: string }) => f.family)).toEqual(skew.families.slice(0, 3).map((f: { family: string }) => f.family));
    expect(skew.tail.map((f: { family: string }) => f.family)).toEqual(skew.families.slice(-3).map((f: { family: string }) => f.family));
  });

  it('combines snapshots by adding their rows', async () => {
    const r = await api.gql(`query($ids: [Int!]!) { skew(snapshotIds: $ids) { total families { family count } } }`, { ids: [high, full] });
    const tinba = (countsHigh.get('tinba') ?? 0) + (countsFull.get('tinba') ?? 0);
    expect(r.data!.skew.families.find((f: { family: string }) => f.family === 'tinba').count).toBe(tinba);
  });

  it('unseen families match the set difference computed independently', async () => {
    const r = await api.gql(
      `query($a: Int!, $b: Int!) { unseenFamilies(a: $a, b: $b) { totalB appearedFraction appeared { family count fraction } disappeared { family } } }`,
      {
        a: high,
        b: full,
      },
    );
    const totalB = [...countsFull.values()].reduce((s, n) => s + n, 0);
    const expected = [...countsFull].filter(([f]) => !countsHigh.has(f)).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    expect(expected.map(([f]) => f)).toEqual(expect.arrayContaining(['banjori', 'simda', 'suppobox', 'nymaim']));
    const u = r.data!.unseenFamilies;
    expect(u.totalB).toBe(totalB);
    expect(u.appeared.map((f: { family: string; count: number }) => [f.family, f.count])).toEqual(expected);
    for (const f of u.appeared) expect(f.fraction).toBeCloseTo(countsFull.get(f.family)! / totalB, 12);
    expect(u.appearedFraction).toBeCloseTo(expected.reduce((s, [, n]) => s + n, 0) / totalB, 12);
    expect(u.disappeared).toEqual([...countsHigh.keys()].filter((f) => !countsFull.has(f)).map((family) => ({ family })));
  });

  it('previews the seed label policy (merge below 50), a class cap and a minimum count', async () => {
    // Input form "full": the families are counted by the names as listed, as countsFull counts them
    // (the default, registered-domain, counts after the reduction: the next test).
    const q = `query($ids: [Int!]!, $m: Int, $c: Int, $d: Int) { labelPolicyPreview(snapshotIds: $ids, mergeBelow: $m, maxClasses: $c, dropBelow: $d, inputForm: "full") { labels classCount kept merged dropped remainingCount } }`;
    const seed = (await api.gql(q, { ids: [full] })).data!.labelPolicyPreview;
    const small = [...countsFull]
      .filter(([, n]) => n < 50)
      .map(([f]) => f)
      .sort();
    expect([...seed.merged].sort()).toEqual(small);
    expect(seed.labels).toContain('mergedDGA');
    expect(seed.classCount).toBe(countsFull.size - small.length + 1);
    const capped = (await api.gql(q, { ids: [full], c: 5 })).data!.labelPolicyPreview;
    expect(capped.classCount).toBe(5);
    expect(capped.kept).toHaveLength(4);
    const dropped = (await api.gql(q, { ids: [full], d: 1000 })).data!.labelPolicyPreview;
    expect([...dropped.dropped].sort()).toEqual(
      [...countsFull]
        .filter(([, n]) => n < 1000)
        .map(([f]) => f)
        .sort(),
    );
    const bad = await api.gql(q, { ids: [full], c: 1 });
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('previews the classes training makes: families counted after the registered-domain reduction, as training counts them', async () => {
    // "subby" lists 60 host names under 20 registered domains; "plain" 60 registered domains.
    const rows = ['family,domain'];
    for (let i = 0; i < 60; i++) rows.push(`subby,h${i}.r${i % 20}.com`, `plain,p${i}.com`);
    const { snapshotId } = await api.deps.ingestion.ingest({
      feed: 'subdomains',
      source: { kind: 'stream', stream: Readable.from([Buffer.from(rows.join('\n'))]), fileName: 'subdomains.csv' },
    });
    const q = `query($ids: [Int!]!, $form: String!) { labelPolicyPreview(snapshotIds: $ids, mergeBelow: 50, inputForm: $form) { labels kept merged remainingCount decisions { family count } } }`;
    const reduced = (await api.gql(q, { ids: [snapshotId], form: 'registered-domain' })).data!.labelPolicyPreview;
    expect(reduced.decisions).toEqual(expect.arrayContaining([{ family: 'subby', count: 20 }]));
    expect(reduced).toMatchObject({ kept: ['plain'], merged: ['subby'], remainingCount: 80 });
    // What training itself does with the same rows (@dgascope/ml prepareData with the same policy).
    const data = rows.slice(1).map((r) => ({ label: r.split(',')[0]!, domain: r.split(',')[1]! }));
    const prepared = prepareData(data, { inputForm: { reduction: 'registered-domain' }, labelPolicy: { mergeBelow: 50 } });
    expect([...reduced.labels].sort()).toEqual(prepared.labels);
    expect(reduced.remainingCount).toBe(prepared.samples.length);
    const full = (await api.gql(q, { ids: [snapshotId], form: 'full' })).data!.labelPolicyPreview;
    expect(full).toMatchObject({ merged: [], remainingCount: 120 });
    expect([...full.kept].sort()).toEqual(['plain', 'subby']);
  });

  it('pages through the domains of a family with cursors, without gaps or repeats', async () => {
    const q = `query($id: Int!, $after: String) { snapshotDomains(snapshotId: $id, family: "suppobox", first: 40, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { domain family description listedOn manualUrl } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: any = await api.gql(q, { id: full, after });
      const page = r.data.snapshotDomains;
      expect(page.totalCount).toBe(countsFull.get('suppobox'));
      seen.push(...page.nodes.map((n: { domain: string }) => n.domain));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(countsFull.get('suppobox')!);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 40));
    const one: any = await api.gql(q, { id: full, after: null });
    expect(one.data.snapshotDomains.nodes[0]).toMatchObject({
      family: 'suppobox',
      description: 'Domain used by suppobox - not date seeded',
      manualUrl: expect.stringMatching(/^http/),
    });
    const bad = await api.gql(q, { id: full, after: 'garbage' });
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
  });

  it('answers not-found errors with a code', async () => {
    const r = await api.gql(`{ skew(snapshotIds: [99999]) { total } }`);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'SNAPSHOT_NOT_FOUND' });
  });
});

describe('access control', () => {
  const MUTATION = `mutation { addFamilyAlias(family: "tinba", alias: "tinybanker") { name aliases } }`;

  it('refuses a mutation without a key, and changes nothing', async () => {
    const r = await api.gql(MUTATION);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REQUIRED' });
    const upload = await api.gql(INGEST, { input: { feed: 'nokey', path: HIGH } });
    expect(upload.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const families = await api.gql(`{ families(first: 5, search: "tinba") { nodes { aliases } } }`);
    expect(families.data!.families.nodes[0].aliases).toEqual([]);
  });

  it('refuses a wrong key for queries and mutations alike', async () => {
    const r = await api.gql(MUTATION, {}, { key: 'wrong-key-wrong-key' });
    expect(r.status).toBe(401);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_API_KEY' });
    const q = await api.gql(`{ feeds(first: 1) { totalCount } }`, {}, { key: 'wrong-key-wrong-key' });
    expect(q.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('lets queries through without a key on loopback, and accepts the admin key for mutations', async () => {
    expect((await api.gql(`{ health { database redis } }`)).data).toEqual({ health: { database: true, redis: true } });
    const r = await api.gql(MUTATION, {}, { key: ADMIN_KEY });
    expect(r.data!.addFamilyAlias).toEqual({ name: 'tinba', aliases: ['tinybanker'] });
  });

  it('requires a key for queries when REQUIRE_AUTH is on', async () => {
    const locked = await startApi({ requireAuth: true });
    try {
      const r = await locked.gql(`{ feeds(first: 1) { totalCount } }`);
      expect(r.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect((await locked.gql(`{ feeds(first: 1) { totalCount } }`, {}, { key: ADMIN_KEY })).data).toEqual({ feeds: { totalCount: 0 } });
    } finally {
      await locked.close();
    }
  });
});
