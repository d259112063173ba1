import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema } from '@dgascope/api/src/graphql/schema';
import { startApi, type ApiHarness } from './support/api-harness';
import { runCli } from './support/cli-process';
import { ADMIN_KEY } from './support/test-env';
import { tinyData } from './support/tiny-data';
import { until } from './support/until';

let api: ApiHarness;
let viewerKey: string;
let adminKey: string;
const cli = (args: string[]) => runCli(api.db.url, args);

beforeAll(async () => {
  api = await startApi({ requireAuth: true });
  await api.deps.ingestion.ingest({
    feed: 'labelled',
    source: { kind: 'stream', stream: Readable.from([Buffer.from(tinyData().dga)]), fileName: 'dga.csv' },
  });
  const viewer = await cli(['keys', 'create', '--name', 'analyst', '--role', 'viewer', '--json']);
  expect(viewer.code, viewer.stderr).toBe(0);
  viewerKey = JSON.parse(viewer.stdout).key;
  const admin = await cli(['keys', 'create', '--name', 'ops', '--role', 'admin']);
  expect(admin.code, admin.stderr).toBe(0);
  adminKey = admin.stdout.trim().split('\n').at(-1)!;
});
afterAll(() => api?.close());

/** A value of the right type for every required argument, so that a call reaches the access policy. */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, placeholder(f.type)]),
    );
  }
  if (isScalarType(type)) return ({ Int: 1, Float: 0.5, Boolean: false, ID: '1' } as Record<string, unknown>)[type.name] ?? 'x';
  return null;
}

function everyMutation(schema: GraphQLSchema) {
  return Object.values(schema.getMutationType()!.getFields()).map((field) => {
    const required = field.args.filter((a) => isNonNullType(a.type) && getNamedType(a.type).name !== 'Upload');
    const decl = required.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
    const pass = required.map((a) => `${a.name}: $${a.name}`).join(', ');
    const leaf = (t: GraphQLNamedType) => ('getFields' in t ? ' { __typename }' : '');
    return {
      name: field.name,
      query: `mutation${decl ? `(${decl})` : ''} { ${field.name}${pass ? `(${pass})` : ''}${leaf(getNamedType(field.type))} }`,
      variables: Object.fromEntries(required.map((a) => [a.name, placeholder(a.type)])),
    };
  });
}

describe('access control: roles, keys in the database, audit log', () => {
  it('refuses anonymous queries when REQUIRE_AUTH is on, and serves a viewer', async () => {
    const anon = await api.gql(`{ feeds(first: 1) { totalCount } }`);
    expect(anon.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REQUIRED' });
    const viewer = await api.gql(`{ feeds(first: 1) { totalCount } whoami { name role } }`, {}, { key: viewerKey });
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data).toEqual({ feeds: { totalCount: 1 }, whoami: { name: 'analyst', role: 'VIEWER' } });
  });

  it('refuses every mutation of the schema to a viewer (FORBIDDEN) and to anonymous callers', async () => {
    const mutations = everyMutation(await createSchema(api.deps.container));
    expect(mutations.length).toBeGreaterThanOrEqual(7);
    for (const m of mutations) {
      const asViewer = await api.gql(m.query, m.variables, { key: viewerKey });
      expect(asViewer.errors?.[0]?.extensions, `${m.name} as viewer: ${JSON.stringify(asViewer)}`).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'ROLE_REQUIRED',
      });
      const anonymous = await api.gql(m.query, m.variables);
      expect(anonymous.errors?.[0]?.extensions, `${m.name} anonymous`).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('runs mutations for admin keys from the database and for the bootstrap key', async () => {
    const add = `mutation($f: String!, $a: String!) { addFamilyAlias(family: $f, alias: $a) { name aliases } }`;
    const viaDb = await api.gql(add, { f: 'necurs', a: 'necurs-b' }, { key: adminKey });
    expect(viaDb.errors).toBeUndefined();
    const viaEnv = await api.gql(add, { f: 'necurs', a: 'necurs-c' }, { key: ADMIN_KEY });
    expect(viaEnv.data!.addFamilyAlias.aliases).toEqual(['necurs-b', 'necurs-c']);
  });

  it('writes an audit entry for every admin action, outcome included, readable by admins only', async () => {
    const failed = await api.gql(`mutation { promoteModel(id: 424242) { id } }`, {}, { key: adminKey });
    expect(failed.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const log = await api.gql(
      `{ auditLog(first: 100) { nodes { actor apiKeyId via action arguments outcome error durationMs } } }`,
      {},
      { key: adminKey },
    );
    expect(log.errors).toBeUndefined();
    const entries = log.data!.auditLog.nodes as Array<Record<string, any>>;
    expect(entries[0]).toMatchObject({
      actor: 'ops',
      via: 'graphql',
      action: 'promoteModel',
      arguments: { id: 424242 },
      outcome: 'NOT_FOUND',
    });
    expect(entries[0]!.error).toMatch(/424242/);
    expect(entries).toContainEqual(
      expect.objectContaining({ actor: 'bootstrap (ADMIN_API_KEY)', apiKeyId: null, action: 'addFamilyAlias', outcome: 'ok' }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'ops',
        action: 'addFamilyAlias',
        arguments: { family: 'necurs', alias: 'necurs-b' },
        outcome: 'ok',
      }),
    );
    expect(entries.filter((e) => e.actor === 'analyst' && e.outcome === 'FORBIDDEN').length).toBeGreaterThanOrEqual(7);
    expect(entries.every((e) => e.outcome !== 'started' && e.durationMs !== null)).toBe(true);
    expect(entries.filter((e) => e.via === 'cli').map((e) => e.action)).toEqual(['keys create', 'keys create']);

    const byAction = await api.gql(
      `{ auditLog(first: 5, action: "promoteModel", actor: "ops") { nodes { action } } }`,
      {},
      { key: adminKey },
    );
    expect(byAction.data!.auditLog.nodes).toEqual([{ action: 'promoteModel' }]);
    const asViewer = await api.gql(`{ auditLog(first: 5) { nodes { action } } }`, {}, { key: viewerKey });
    expect(asViewer.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_REQUIRED' });
  });

  it('lists keys with role and last use, never their secrets (CLI and GraphQL)', async () => {
    const listed = await cli(['keys', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(viewerKey);
    expect(listed.stdout).not.toMatch(/keyHash/);
    const keys = JSON.parse(listed.stdout) as Array<Record<string, any>>;
    expect(keys.map((k) => [k.name, k.role])).toEqual([
      ['analyst', 'VIEWER'],
      ['ops', 'ADMIN'],
    ]);
    expect(keys.every((k) => k.lastUsedAt !== null && k.revokedAt === null)).toBe(true);
    expect(viewerKey.startsWith(keys[0]!.prefix)).toBe(true);
    const gql = await api.gql(`{ apiKeys { name role prefix lastUsedAt revokedAt } }`, {}, { key: adminKey });
    expect(gql.data!.apiKeys).toHaveLength(2);
    expect(JSON.stringify(gql.data)).not.toContain(viewerKey);
  });

  it('revokes a key: the next request with it is refused, and the revocation is audited', async () => {
    const revoked = await cli(['keys', 'revoke', 'analyst']);
    expect(revoked.code, revoked.stderr).toBe(0);
    const r = await api.gql(`{ feeds(first: 1) { totalCount } }`, {}, { key: viewerKey });
    expect(r.status).toBe(401);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
    expect(r.errors![0]!.message).toMatch(/"analyst" was revoked/);
    const again = await cli(['keys', 'revoke', 'analyst']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already revoked/);
    const taken = await cli(['keys', 'create', '--name', 'analyst', '--role', 'viewer']);
    expect(taken.stderr).toMatch(/already exists/);
    const log = await api.gql(
      `{ auditLog(first: 3, actor: "cli:${(await import('node:os')).userInfo().username}") { nodes { action arguments outcome } } }`,
      {},
      { key: adminKey },
    );
    expect(log.data!.auditLog.nodes.slice(0, 3)).toEqual([
      { action: 'keys create', arguments: { name: 'analyst', role: 'VIEWER' }, outcome: 'CONFLICT' },
      { action: 'keys revoke', arguments: { nameOrId: 'analyst' }, outcome: 'CONFLICT' },
      { action: 'keys revoke', arguments: { nameOrId: 'analyst' }, outcome: 'ok' },
    ]);
  });

  it('remembers valid keys without a database round trip, and forgets them whenever a change could be missed', async () => {
    const made = await cli(['keys', 'create', '--name', 'remembered', '--role', 'viewer', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const key = JSON.parse(made.stdout).key as string;
    const feeds = () => api.gql(`{ feeds(first: 1) { totalCount } }`, {}, { key });
    const sql = new Client({ connectionString: api.db.url });
    await sql.connect();
    const listenerPid = async () =>
      (
        await sql.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dgascope-listen-dgascope_api_keys'`,
        )
      ).rows[0]?.pid;
    try {
      expect((await feeds()).errors).toBeUndefined();
      await until('the key listener connecting', async () => (await listenerPid()) !== undefined);
      expect((await feeds()).errors).toBeUndefined(); // remembered now

      // Remembered: the key is answered without asking PostgreSQL.
      const pool = api.deps.db.pool;
      const query = pool.query.bind(pool);
      let keyLookups = 0;
      pool.query = ((...args: Parameters<typeof query>) => {
        if (String(args[0]).includes('FROM api_keys')) keyLookups++;
        return query(...args);
      }) as typeof pool.query;
      try {
        for (let i = 0; i < 5; i++) expect((await feeds()).errors).toBeUndefined();
      } finally {
        pool.query = query;
      }
      expect(keyLookups).toBe(0);

      // Revoked by plain SQL while the listener is cut off, so that the notification is lost:
      // once the listener is back (it reconnects by itself), the key must be refused.
      const before = await listenerPid();
      await sql.query('SELECT pg_terminate_backend($1)', [before]);
      await sql.query(`UPDATE api_keys SET revoked_at = now() WHERE name = 'remembered'`);
      await until('the key listener reconnecting', async () => ![undefined, before].includes(await listenerPid()));
      const refused = await feeds();
      expect(refused.status).toBe(401);
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
    } finally {
      await sql.end();
    }
  });

  it('rejects a wrong key with 401 even for queries that need none', async () => {
    const r = await api.gql(`{ health { database } }`, {}, { key: 'dgs_not-a-real-key' });
    expect(r.status).toBe(401);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_API_KEY' });
  });
});
