import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PoolConfig } from 'pg';

/**
 * Pool settings for the Prisma CLI's JavaScript schema engine. Four known defects of
 * that path (prisma 6.19, see ../shared NOTES and prisma/orm#27403) are worked around:
 * - the adapter builds its shadow-database config as `{...config, database}`, which a
 *   `connectionString` would override, so the URL is split into its parts;
 * - the shadow database (migrate diff/dev) is dropped while the adapter still holds a
 *   connection to it: CliPrismaPg closes that pool first;
 * - introspection reads pg_catalog columns of type `name` (19) and `char` (18), which
 *   the adapter cannot map: they are reported to it as `text` (25);
 * - the adapter runs a migration script by splitting it at every `;`, which cuts a function
 *   body (`$$ … $$`) apart: CliPrismaPg sends the whole script as one query instead.
 */
export function cliPoolConfig(databaseUrl: string | undefined): PoolConfig {
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (e.g. postgresql://user:pass@127.0.0.1:5432/dgascope)');
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL');
  }
  const schema = url.searchParams.get('schema');
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    Client: TextNameClient(),
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as typeof import('pg');

function TextNameClient(): typeof import('pg').Client {
  const patch = (res: { fields?: Array<{ dataTypeID: number }> } | undefined) => {
    for (const field of res?.fields ?? []) if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    return res;
  };
  class Client extends pg.Client {
    // pg.Pool calls query() with a trailing callback; direct callers use the promise form.
    override query(...args: unknown[]): never {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (err: unknown, res: Parameters<typeof patch>[0]) => last(err, patch(res));
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      return (result instanceof Promise ? result.then(patch) : result) as never;
    }
  }
  return Client;
}

/**
 * PrismaPg whose migration scripts run as one query each, and whose shadow database is dropped
 * only after its own pool has been closed.
 */
export class CliPrismaPg extends PrismaPg {
  constructor(private readonly poolConfig: PoolConfig) {
    super(poolConfig);
  }

  /**
   * A script without parameters goes over PostgreSQL's simple query protocol, which takes many
   * statements at once and parses them properly (quotes, dollar quotes, comments); it also runs
   * them as one implicit transaction, so a migration that fails leaves nothing half-applied.
   */
  override async connect() {
    const adapter = await super.connect();
    const pool = adapter.underlyingDriver();
    adapter.executeScript = async (script: string) => {
      try {
        await pool.query(script);
      } catch (error) {
        // The adapter's own conversion into the error the schema engine reports (protected there).
        (adapter as unknown as { onError(e: unknown): never }).onError(error);
      }
    };
    return adapter;
  }

  override async connectToShadowDb() {
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg({ ...this.poolConfig, database }).connect();
    const closeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await closeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await main.dispose();
    };
    return shadow;
  }
}
