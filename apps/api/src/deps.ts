import 'reflect-metadata';
import { Redis } from 'ioredis';
import type { ContainerType } from 'type-graphql';
import type { Env } from './config/env';
import { createDatabase, type Database } from './db/database';
import { AnalyticsResolver } from './modules/analytics/analytics.resolver';
import { AnalyticsService } from './modules/analytics/analytics.service';
import { FamiliesResolver } from './modules/families/families.resolver';
import { FamiliesService } from './modules/families/families.service';
import { FeedsResolver } from './modules/feeds/feeds.resolver';
import { FeedsService } from './modules/feeds/feeds.service';
import { HealthResolver } from './modules/health/health.resolver';
import { HealthService } from './modules/health/health.service';
import { IngestionResolver, IngestionResolverSettings } from './modules/ingestion/ingestion.resolver';
import { IngestionService } from './modules/ingestion/ingestion.service';
import { SnapshotsResolver } from './modules/snapshots/snapshots.resolver';
import { SnapshotsService } from './modules/snapshots/snapshots.service';

export type DepsEnv = Pick<Env, 'DATABASE_URL' | 'REDIS_URL' | 'MAX_INGEST_BYTES' | 'INGEST_ALLOWED_DIRS'>;

/** The composition root: every service is built once here and handed to whoever needs it. */
export interface Deps {
  db: Database;
  redis: Redis;
  ingestion: IngestionService;
  feeds: FeedsService;
  snapshots: SnapshotsService;
  families: FamiliesService;
  analytics: AnalyticsService;
  health: HealthService;
  container: ContainerType;
  close(): Promise<void>;
}

export function createDeps(env: DepsEnv): Deps {
  const db = createDatabase(env.DATABASE_URL);
  // Fail requests quickly while Redis is down instead of queueing them forever.
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: true });
  redis.on('error', () => undefined); // reported by health checks; reconnects by itself

  const ingestion = new IngestionService(db.pool, { maxBytes: env.MAX_INGEST_BYTES });
  const feeds = new FeedsService(db.prisma);
  const snapshots = new SnapshotsService(db.prisma);
  const families = new FamiliesService(db.prisma);
  const analytics = new AnalyticsService(db.prisma, snapshots);
  const health = new HealthService(db.pool, redis);

  const resolvers = new Map<unknown, unknown>([
    [HealthResolver, new HealthResolver(health)],
    [FeedsResolver, new FeedsResolver(feeds)],
    [SnapshotsResolver, new SnapshotsResolver(snapshots)],
    [FamiliesResolver, new FamiliesResolver(families)],
    [AnalyticsResolver, new AnalyticsResolver(analytics)],
    [IngestionResolver, new IngestionResolver(ingestion, snapshots, new IngestionResolverSettings(env.INGEST_ALLOWED_DIRS))],
  ]);
  const container: ContainerType = {
    get(someClass) {
      const instance = resolvers.get(someClass);
      if (!instance) throw new Error(`no instance registered for ${(someClass as { name?: string }).name}`);
      return instance;
    },
  };

  return {
    db,
    redis,
    ingestion,
    feeds,
    snapshots,
    families,
    analytics,
    health,
    container,
    async close() {
      redis.disconnect();
      await db.close();
    },
  };
}
