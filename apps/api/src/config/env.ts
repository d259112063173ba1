import { z } from 'zod';
import { envSources } from './env-file';

/** The placeholder of .env.example: accepted on loopback (the demo), refused anywhere else. */
export const PLACEHOLDER_ADMIN_KEY = 'change-me-to-a-long-random-string';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

const postgresUrl = z
  .string({ error: 'is not set' })
  .min(1, { message: 'is not set', abort: true })
  .refine((value) => /^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(value) && URL.canParse(value), {
    message: 'must look like postgresql://user:password@host:5432/database',
  });
const redisUrl = z
  .string({ error: 'is not set' })
  .min(1, { message: 'is not set', abort: true })
  .refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), {
    message: 'must look like redis://host:6379',
  });
/** Comma-separated host names, IP addresses and CIDR ranges. */
export const urlAllowList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .refine((entries) => entries.every((e) => /^[a-z0-9.-]+$/i.test(e) || /^[0-9a-f:.]+(\/\d{1,3})?$/i.test(e)), {
    message: 'must be comma-separated host names, IP addresses or CIDR ranges (10.0.0.0/8)',
  });
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: postgresUrl,
  REDIS_URL: redisUrl,
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Bootstrap admin key, beside the keys in the database (`dgascope keys create`). */
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Queries need a key (any role) too. Defaults to true when the API listens beyond loopback. */
  REQUIRE_AUTH: booleanFlag.optional(),
  /** Stack traces in error responses (with the server's paths): for debugging only. */
  DEBUG_ERRORS: booleanFlag.default(false),
  /** GraphQL introspection; defaults to off when NODE_ENV=production. */
  INTROSPECTION: booleanFlag.optional(),
  /** Deepest selection a query may nest. */
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).default(10),
  /** Largest query cost: one per field, times the page size for pages, times the domains for classify. */
  MAX_QUERY_COST: z.coerce.number().int().positive().default(25_000),
  /** Aliases one request may use (each alias runs its field once more). */
  MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  /** Root fields one operation may select, aliases and fragments included. */
  MAX_ROOT_FIELDS: z.coerce.number().int().min(1).default(20),
  /** Largest page (`first`) of any connection. */
  MAX_PAGE_SIZE: z.coerce.number().int().positive().default(500),
  /** A request still running after this long is answered 503 REQUEST_TIMEOUT (ingestion and uploads exempt). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * The API cancels an SQL statement running longer than this (PostgreSQL statement_timeout),
   * so that work abandoned by a timed-out request stops; 0 = never. Ingestion and workers are exempt.
   */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /** Largest request body of an upload (the file as sent, maybe compressed). */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 ** 2),
  /** Largest file (and largest decompressed content) one ingestion accepts. */
  MAX_INGEST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 ** 3),
  /** Server-side paths that the ingest mutation may read; empty = none. Colon-separated. */
  INGEST_ALLOWED_DIRS: z
    .string()
    .default('')
    .transform((v) => v.split(':').filter(Boolean)),
  /**
   * URL ingestion never reaches loopback, link-local (cloud metadata), private or reserved
   * addresses, checked after DNS and on every redirect, except those listed here: host names,
   * addresses or CIDR ranges, comma-separated (internal feed mirrors).
   */
  INGEST_URL_ALLOW: urlAllowList,
  /** A feed server that sends nothing for this long (before the headers or mid-body) fails the ingestion. */
  INGEST_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  DASHBOARD_ORIGIN: z.string().default('http://127.0.0.1:3000'),
  /** Force an ML backend; default: the best that loads (tfjs-node-gpu, tfjs-node, wasm, cpu). */
  ML_BACKEND: z.enum(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).optional(),
  /** Largest synchronous `classify` batch. */
  CLASSIFY_MAX_DOMAINS: z.coerce.number().int().positive().default(1000),
  /** Inference threads of a bulk-classification job (each with its own backend); 0 = the worker's own thread. */
  INFERENCE_THREADS: z.coerce.number().int().min(0).max(32).default(2),
  /** A bulk job of more names than this is split into chunks of this size, which every worker takes part in. */
  CLASSIFY_CHUNK_SIZE: z.coerce.number().int().min(100).default(50_000),
  /** Jobs one worker process runs at once, per queue. Training is CPU-bound: keep 1 per core. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** How long a worker's lock on a job lasts without renewal; a killed worker's job is retried after it. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Prometheus /metrics on a port of its own: the worker's (default 9464; give each worker on one
   * host its own; 0 = none). The API serves /metrics on its own port unless this is set.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Where a separate /metrics port listens (0.0.0.0 for a Prometheus on another host). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Shortest interval of a feed's pull schedule. */
  FEED_PULL_MIN_INTERVAL_S: z.coerce.number().int().min(1).default(60),
  /** Attempts of a feed pull whose server failed (HTTP error, connection refused, stalled), and the first retry's delay (doubling). */
  FEED_PULL_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  FEED_PULL_BACKOFF_MS: z.coerce.number().int().min(10).default(60_000),
  /** Attempts of a webhook delivery and the first retry's delay (doubling). */
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(10_000),
  /** When the retention job runs (cron, UTC); empty: only when asked for (runRetention). */
  RETENTION_CRON: z.string().default('30 3 * * *'),
  /** Predictions of bulk jobs finished longer ago than this are removed; 0: no age limit. */
  RETENTION_MAX_AGE_DAYS: z.coerce.number().min(0).default(90),
  /** Predictions of a snapshot's bulk jobs older than the newest N are removed; 0: no limit. The newest is always kept. */
  RETENTION_KEEP_JOBS: z.coerce.number().int().min(0).default(5),
  /** Rows one retention statement deletes (each batch is its own short transaction). */
  RETENTION_BATCH: z.coerce.number().int().min(1).default(10_000),
  /** Redis key prefix of the queues: separate deployments (or test runs) sharing one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i)
    .default('dgascope'),
});

export type Env = Omit<z.infer<typeof EnvSchema>, 'REQUIRE_AUTH' | 'INTROSPECTION'> & { REQUIRE_AUTH: boolean; INTROSPECTION: boolean };

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

function parse<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const first = result.error.issues[0];
    const name = String(first?.path[0] ?? 'environment');
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : '';
    throw new EnvError(`Invalid environment variable ${name}: ${first?.message ?? 'invalid'}${more}`);
  }
  return result.data;
}

/**
 * What the CLI uses: the database and ingestion settings (no HTTP); Redis only when set, for the
 * post-ingest hooks that queue jobs (an ingestion without it stores the snapshot and says so).
 */
const CliEnvSchema = EnvSchema.pick({
  DATABASE_URL: true,
  MAX_INGEST_BYTES: true,
  INGEST_URL_ALLOW: true,
  INGEST_IDLE_TIMEOUT_MS: true,
  ML_BACKEND: true,
  QUEUE_PREFIX: true,
  FEED_PULL_MIN_INTERVAL_S: true,
}).extend({
  /** Only the commands that reach the queues need it (feeds schedule/pause/resume/pull). */
  REDIS_URL: redisUrl.optional(),
});
export type CliEnv = z.infer<typeof CliEnvSchema>;

/** The CLI's part of the environment, read like loadEnv's (environment over `.env`). */
export function loadCliEnv(source: NodeJS.ProcessEnv = envSources()): CliEnv {
  return parse(CliEnvSchema, source);
}

/**
 * Parses the configuration once, at start-up: the environment over `.env` (config/env-file.ts).
 * The only reader of process.env in the API.
 */
export function loadEnv(source: NodeJS.ProcessEnv = envSources()): Env {
  const env = parse(EnvSchema, source);
  if (env.ADMIN_API_KEY === PLACEHOLDER_ADMIN_KEY && !isLoopback(env.HOST)) {
    throw new EnvError(
      `Invalid environment variable ADMIN_API_KEY: still the placeholder of .env.example while HOST=${env.HOST} is beyond loopback; set a random key (scripts/ensure-env.sh writes one)`,
    );
  }
  return {
    ...env,
    REQUIRE_AUTH: env.REQUIRE_AUTH ?? !isLoopback(env.HOST),
    INTROSPECTION: env.INTROSPECTION ?? env.NODE_ENV !== 'production',
  };
}
