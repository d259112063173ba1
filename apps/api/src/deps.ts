import 'reflect-metadata';
import { Redis } from 'ioredis';
import type { ContainerType } from 'type-graphql';
import type { Env } from './config/env';
import { createDatabase, type Database } from './db/database';
import { AccessResolver } from './modules/access/access.resolver';
import { ApiKeysService } from './modules/access/api-keys.service';
import { AuditService } from './modules/access/audit.service';
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
import { BulkClassificationResolver } from './modules/classification/bulk-classification.resolver';
import { BulkClassificationService } from './modules/classification/bulk-classification.service';
import { PredictionsResolver } from './modules/predictions/predictions.resolver';
import { PredictionsService } from './modules/predictions/predictions.service';
import { ServingResolver } from './modules/serving/serving.resolver';
import { ServingService } from './modules/serving/serving.service';
import { JobsResolver } from './modules/jobs/jobs.resolver';
import { JobsService } from './modules/jobs/jobs.service';
import { ModelsResolver } from './modules/models/models.resolver';
import { ModelsService } from './modules/models/models.service';
import { PromotedModel } from './modules/serving/promoted-model';
import { TrainingResolver } from './modules/training/training.resolver';
import { TrainingService } from './modules/training/training.service';
import { BullJobQueue, type JobQueue } from './queue/queues';
import { JobRunner, type JobDefinition } from './jobs/job-runner';
import { TrainingJob } from './modules/training/training.job';
import { BulkClassificationJob } from './modules/classification/bulk-classification.job';
import { SnapshotDomains } from './modules/snapshots/snapshot-domains';
import type { JobKind } from '@prisma/client';

export type DepsEnv = Pick<
  Env,
  'DATABASE_URL' | 'REDIS_URL' | 'MAX_INGEST_BYTES' | 'INGEST_ALLOWED_DIRS' | 'QUEUE_PREFIX' | 'CLASSIFY_MAX_DOMAINS'
> &
  Partial<
    Pick<Env, 'ML_BACKEND' | 'INFERENCE_THREADS' | 'ADMIN_API_KEY' | 'INGEST_URL_ALLOW' | 'INGEST_IDLE_TIMEOUT_MS' | 'STATEMENT_TIMEOUT_MS'>
  >;

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
  queue: JobQueue;
  jobs: JobsService;
  models: ModelsService;
  promoted: PromotedModel;
  training: TrainingService;
  classification: BulkClassificationService;
  serving: ServingService;
  predictions: PredictionsService;
  apiKeys: ApiKeysService;
  audit: AuditService;
  /** What the worker runs: each job kind, and the runner around them. */
  jobKinds: { [K in JobKind]: JobDefinition<K> };
  runner: JobRunner;
  container: ContainerType;
  close(): Promise<void>;
}

export function createDeps(env: DepsEnv): Deps {
  const db = createDatabase(env.DATABASE_URL, env.STATEMENT_TIMEOUT_MS ? { statementTimeoutMs: env.STATEMENT_TIMEOUT_MS } : {});
  // Fail requests quickly while Redis is down instead of queueing them forever.
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: true });
  redis.on('error', () => undefined); // reported by health checks; reconnects by itself

  const ingestion = new IngestionService(db.pool, {
    maxBytes: env.MAX_INGEST_BYTES,
    url: { allow: env.INGEST_URL_ALLOW ?? [], idleTimeoutMs: env.INGEST_IDLE_TIMEOUT_MS ?? 30_000 },
  });
  const feeds = new FeedsService(db.prisma);
  const snapshots = new SnapshotsService(db.prisma);
  const families = new FamiliesService(db.prisma);
  const analytics = new AnalyticsService(db.prisma, snapshots);
  const health = new HealthService(db.pool, redis);
  const queue = new BullJobQueue(env.REDIS_URL, env.QUEUE_PREFIX);
  const jobs = new JobsService(db.prisma, queue);
  const models = new ModelsService(db.prisma);
  const promoted = new PromotedModel(models, env.ML_BACKEND);
  models.onPromoted(() => promoted.invalidate());
  const training = new TrainingService(jobs, models, snapshots);
  const serving = new ServingService(promoted, env.CLASSIFY_MAX_DOMAINS);
  const classification = new BulkClassificationService(jobs, models, snapshots);
  const snapshotDomains = new SnapshotDomains(db.pool);
  const predictions = new PredictionsService(db.prisma, db.pool, snapshotDomains);
  const jobKinds = {
    TRAINING: new TrainingJob(snapshotDomains, jobs, models, env.ML_BACKEND),
    CLASSIFICATION: new BulkClassificationJob(models, predictions, snapshotDomains, env.INFERENCE_THREADS ?? 2),
  };
  const runner = new JobRunner(jobs);
  const apiKeys = new ApiKeysService(db.prisma, db.pool, env.ADMIN_API_KEY, { connectionString: env.DATABASE_URL });
  const audit = new AuditService(db.prisma);

  const resolvers = new Map<unknown, unknown>([
    [HealthResolver, new HealthResolver(health)],
    [FeedsResolver, new FeedsResolver(feeds)],
    [SnapshotsResolver, new SnapshotsResolver(snapshots)],
    [FamiliesResolver, new FamiliesResolver(families)],
    [AnalyticsResolver, new AnalyticsResolver(analytics)],
    [IngestionResolver, new IngestionResolver(ingestion, snapshots, new IngestionResolverSettings(env.INGEST_ALLOWED_DIRS))],
    [JobsResolver, new JobsResolver(jobs)],
    [ModelsResolver, new ModelsResolver(models)],
    [TrainingResolver, new TrainingResolver(training)],
    [ServingResolver, new ServingResolver(serving)],
    [PredictionsResolver, new PredictionsResolver(predictions)],
    [BulkClassificationResolver, new BulkClassificationResolver(classification)],
    [AccessResolver, new AccessResolver(apiKeys, audit)],
    [AuditService, audit],
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
    queue,
    jobs,
    models,
    promoted,
    training,
    classification,
    serving,
    predictions,
    apiKeys,
    audit,
    jobKinds,
    runner,
    container,
    async close() {
      await promoted.dispose();
      await apiKeys.close();
      await queue.close();
      redis.disconnect();
      await db.close();
    },
  };
}
