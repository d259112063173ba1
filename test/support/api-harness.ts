import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDeps, type Deps, type DepsEnv } from '@dgascope/api/src/deps';
import { createServer, type ServerEnv } from '@dgascope/api/src/server';
import { createTestDatabase, type TestDatabase } from './test-database';
import { ADMIN_KEY, REDIS_URL } from './test-env';

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }>;
}

export interface ApiHarness {
  url: string;
  queuePrefix: string;
  db: TestDatabase;
  deps: Deps;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { key?: string | null },
  ): Promise<GqlResponse<T>>;
  /** The same API (same services and database) served again with other server settings. */
  variant(overrides: Partial<ServerEnv>): Promise<Served>;
  close(): Promise<void>;
}

/** The real GraphQL server on a random loopback port, over its own fresh database and the real Redis. */
export interface ApiOptions {
  allowedDirs?: string[];
  requireAuth?: boolean;
  classifyMax?: number;
  /** Overrides of the server's limits and switches. */
  server?: Partial<ServerEnv>;
  /** Another Redis (e.g. a private one a test restarts); default: the shared one. */
  redisUrl?: string;
  /** The API's SQL statement timeout (STATEMENT_TIMEOUT_MS); default: none. */
  statementTimeoutMs?: number;
  /** An existing database (e.g. a private PostgreSQL); default: a fresh one from the template. */
  db?: TestDatabase;
  /** Other settings of the API's services (feed pull intervals, retries…). */
  env?: Partial<DepsEnv>;
}

/** The server settings of a test API: production defaults, except where a test says otherwise. */
export function testServerEnv(overrides: Partial<ServerEnv> = {}): ServerEnv {
  return {
    REQUIRE_AUTH: false,
    MAX_UPLOAD_BYTES: 50 * 1024 * 1024,
    DASHBOARD_ORIGIN: 'http://127.0.0.1:3000',
    INTROSPECTION: true,
    MAX_QUERY_DEPTH: 10,
    MAX_QUERY_COST: 25_000,
    MAX_PAGE_SIZE: 500,
    MAX_ALIASES: 30,
    DEBUG_ERRORS: false,
    MAX_ROOT_FIELDS: 20,
    REQUEST_TIMEOUT_MS: 30_000,
    ...overrides,
  };
}

export async function startApi(options: ApiOptions = {}): Promise<ApiHarness> {
  const db = options.db ?? (await createTestDatabase());
  // Queues of their own, so that workers of other test files never take this file's jobs.
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  const deps = createDeps({
    DATABASE_URL: db.url,
    REDIS_URL: options.redisUrl ?? REDIS_URL,
    MAX_INGEST_BYTES: 50 * 1024 * 1024,
    INGEST_ALLOWED_DIRS: options.allowedDirs ?? [],
    QUEUE_PREFIX: queuePrefix,
    CLASSIFY_MAX_DOMAINS: options.classifyMax ?? 1000,
    ML_BACKEND: 'wasm',
    ADMIN_API_KEY: ADMIN_KEY,
    ...(options.statementTimeoutMs ? { STATEMENT_TIMEOUT_MS: options.statementTimeoutMs } : {}),
    ...options.env,
  });
  const main = await serve(deps, testServerEnv({ REQUIRE_AUTH: options.requireAuth ?? false, ...options.server }));
  const extra: Served[] = [];
  return {
    url: main.url,
    queuePrefix,
    db,
    deps,
    gql: main.gql,
    async variant(overrides: Partial<ServerEnv>) {
      const served = await serve(deps, testServerEnv({ REQUIRE_AUTH: options.requireAuth ?? false, ...options.server, ...overrides }));
      extra.push(served);
      return served;
    },
    async close() {
      for (const s of [...extra, main]) await s.close();
      await deps.close();
      if (!options.db) await db.drop();
    },
  };
}

export interface Served {
  url: string;
  gql: ApiHarness['gql'];
  close(): Promise<void>;
}

/** One HTTP server over the given services, on a random loopback port. */
async function serve(deps: Deps, env: ServerEnv): Promise<Served> {
  const server = await createServer(deps, env);
  const http: Server = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  return {
    url,
    async gql(query, variables, opts = {}) {
      const key = opts.key === undefined ? null : opts.key;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    async close() {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await server.stop();
    },
  };
}
