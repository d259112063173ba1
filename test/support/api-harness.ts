import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDeps, type Deps } from '@dgascope/api/src/deps';
import { createServer } from '@dgascope/api/src/server';
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
  close(): Promise<void>;
}

/** The real GraphQL server on a random loopback port, over its own fresh database and the real Redis. */
export async function startApi(options: { allowedDirs?: string[]; requireAuth?: boolean; classifyMax?: number } = {}): Promise<ApiHarness> {
  const db = await createTestDatabase();
  // Queues of their own, so that workers of other test files never take this file's jobs.
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  const deps = createDeps({
    DATABASE_URL: db.url,
    REDIS_URL,
    MAX_INGEST_BYTES: 50 * 1024 * 1024,
    INGEST_ALLOWED_DIRS: options.allowedDirs ?? [],
    QUEUE_PREFIX: queuePrefix,
    CLASSIFY_MAX_DOMAINS: options.classifyMax ?? 1000,
    ML_BACKEND: 'wasm',
  });
  const server = await createServer(deps, {
    ADMIN_API_KEY: ADMIN_KEY,
    REQUIRE_AUTH: options.requireAuth ?? false,
    MAX_INGEST_BYTES: 50 * 1024 * 1024,
    DASHBOARD_ORIGIN: 'http://127.0.0.1:3000',
    NODE_ENV: 'test',
  });
  const http: Server = await new Promise((resolve) => {
    const s = server.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  return {
    url,
    queuePrefix,
    db,
    deps,
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
      await new Promise((resolve) => http.close(resolve));
      await server.stop();
      await deps.close();
      await db.drop();
    },
  };
}
