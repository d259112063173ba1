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
import { InvalidNames } from './modules/classification/invalid-names';
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
import { EvaluationJob } from './modules/evaluations/evaluation.job';
import { EvaluationsResolver } from './modules/evaluations/evaluations.resolver';
import { EvaluationsService } from './modules/evaluations/evaluations.service';
import { PromotionReviewResolver } from './modules/evaluations/promotion-review.resolver';
import { PromotionReviewService } from './modules/evaluations/promotion-review.service';

/** What the database-backed services need: every entry point (the CLI needs no more). */
export type CoreEnv = Pick<Env, 'DATABASE_URL' | 'MAX_INGEST_BYTES'> &
  Partial<Pick<Env, 'ADMIN_API_KEY' | 'INGEST_URL_ALLOW' | 'INGEST_IDLE_TIMEOUT_MS' | 'STATEMENT_TIMEOUT_MS'>>;
/** What the queues and jobs need besides (the API queues jobs, the worker runs them). */
export type JobsEnv = Pick<Env, 'REDIS_URL' | 'QUEUE_PREFIX'> & Partial<Pick<Env, 'ML_BACKEND' | 'INFERENCE_THREADS'>>;
export type DepsEnv = CoreEnv & JobsEnv & Pick<Env, 'INGEST_ALLOWED_DIRS' | 'CLASSIFY_MAX_DOMAINS'>;

/** The database and the services on it. */
export interface Core {
  db: Database;
  ingestion: IngestionService;
  feeds: FeedsService;
  snapshots: SnapshotsService;
  snapshotDomains: SnapshotDomains;
  families: FamiliesService;
  analytics: AnalyticsService;
  models: ModelsService;
  predictions: PredictionsService;
  invalidNames: InvalidNames;
  apiKeys: ApiKeysService;
  audit: AuditService;
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Connections of the pool (default 10). */
  poolSize?: number;
  /** Keep API keys verified in memory, listening for changes (the API; not the one-shot CLI). */
  listenForKeyChanges?: boolean;
}

/** The composition root's first part: every service on the database, built once. */
export function createCore(env: CoreEnv, options: CoreOptions = {}): Core {
  const db = createDatabase(env.DATABASE_URL, {
    ...(options.poolSize ? { max: options.poolSize } : {}),
    ...(env.STATEMENT_TIMEOUT_MS ? { statementTimeoutMs: env.STATEMENT_TIMEOUT_MS } : {}),
  });
  const ingestion = new IngestionService(db.pool, {
    maxBytes: env.MAX_INGEST_BYTES,
    url: { allow: env.INGEST_URL_ALLOW ?? [], idleTimeoutMs: env.INGEST_IDLE_TIMEOUT_MS ?? 30_000 },
  });
  const snapshots = new SnapshotsService(db.prisma);
  const snapshotDomains = new SnapshotDomains(db.pool);
  const apiKeys = new ApiKeysService(
    db.prisma,
    db.pool,
    env.ADMIN_API_KEY,
    options.listenForKeyChanges ? { connectionString: env.DATABASE_URL } : undefined,
  );
  return {
    db,
    ingestion,
    feeds: new FeedsService(db.prisma),
    snapshots,
    snapshotDomains,
    families: new FamiliesService(db.prisma),
    analytics: new AnalyticsService(db.prisma, snapshots, snapshotDomains),
    models: new ModelsService(db.prisma),
    predictions: new PredictionsService(db.prisma, db.pool, snapshotDomains),
    invalidNames: new InvalidNames(db.pool),
    apiKeys,
    audit: new AuditService(db.prisma),
    async close() {
      await apiKeys.close();
      await db.close();
    },
  };
}

/** The queues, the services that queue jobs, and the jobs themselves with their runner. */
export interface JobParts {
  queue: JobQueue;
  jobs: JobsService;
  training: TrainingService;
  classification: BulkClassificationService;
  evaluations: EvaluationsService;
  /** What the worker runs: each job kind, and the runner around them. */
  jobKinds: { [K in JobKind]: JobDefinition<K> };
  runner: JobRunner;
  close(): Promise<void>;
}

export function createJobParts(core: Core, env: JobsEnv): JobParts {
  const queue = new BullJobQueue(env.REDIS_URL, env.QUEUE_PREFIX);
  const jobs = new JobsService(core.db.prisma, queue);
  const evaluations = new EvaluationsService(core.db.prisma, jobs, core.models);
  // The post-ingest hooks that queue jobs live where the queues do: every process that can queue
  // (the API, a worker, the CLI with REDIS_URL) runs them after an ingestion of its own.
  core.ingestion.afterIngest.add(evaluations.evaluatePromotedModelHook());
  return {
    queue,
    jobs,
    training: new TrainingService(jobs, core.models, core.snapshots),
    classification: new BulkClassificationService(jobs, core.models, core.snapshots),
    evaluations,
    jobKinds: {
      TRAINING: new TrainingJob(core.snapshotDomains, jobs, core.models, env.ML_BACKEND),
      CLASSIFICATION: new BulkClassificationJob(
        core.models,
        core.predictions,
        core.invalidNames,
        core.snapshotDomains,
        env.INFERENCE_THREADS ?? 2,
      ),
      EVALUATION: new EvaluationJob(core.models, evaluations, core.snapshotDomains, env.ML_BACKEND),
    },
    runner: new JobRunner(jobs),
    close: () => queue.close(),
  };
}

/** The worker process: the database, the queues and the jobs (no HTTP, no served model). */
export function createWorkerDeps(env: CoreEnv & JobsEnv): Core & JobParts {
  const core = createCore(env);
  const parts = createJobParts(core, env);
  return {
    ...core,
    ...parts,
    async close() {
      await parts.close();
      await core.close();
    },
  };
}

/** The API: everything, plus the served model, health checks and the resolvers. */
export interface Deps extends Core, Omit<JobParts, 'close'> {
  redis: Redis;
  health: HealthService;
  promoted: PromotedModel;
  serving: ServingService;
  container: ContainerType;
  close(): Promise<void>;
}

export function createDeps(env: DepsEnv): Deps {
  const core = createCore(env, { listenForKeyChanges: true });
  const parts = createJobParts(core, env);
  // Fail requests quickly while Redis is down instead of queueing them forever.
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: true });
  redis.on('error', () => undefined); // reported by health checks; reconnects by itself
  const health = new HealthService(core.db.pool, redis);
  const promoted = new PromotedModel(core.models, env.ML_BACKEND);
  core.models.onPromoted(() => promoted.invalidate());
  const serving = new ServingService(promoted, env.CLASSIFY_MAX_DOMAINS);

  const resolvers = new Map<unknown, unknown>([
    [HealthResolver, new HealthResolver(health)],
    [FeedsResolver, new FeedsResolver(core.feeds)],
    [SnapshotsResolver, new SnapshotsResolver(core.snapshots)],
    [FamiliesResolver, new FamiliesResolver(core.families)],
    [AnalyticsResolver, new AnalyticsResolver(core.analytics)],
    [IngestionResolver, new IngestionResolver(core.ingestion, core.snapshots, new IngestionResolverSettings(env.INGEST_ALLOWED_DIRS))],
    [JobsResolver, new JobsResolver(parts.jobs, core.invalidNames)],
    [ModelsResolver, new ModelsResolver(core.models)],
    [TrainingResolver, new TrainingResolver(parts.training)],
    [ServingResolver, new ServingResolver(serving)],
    [PredictionsResolver, new PredictionsResolver(core.predictions)],
    [BulkClassificationResolver, new BulkClassificationResolver(parts.classification)],
    [EvaluationsResolver, new EvaluationsResolver(parts.evaluations, core.snapshots)],
    [PromotionReviewResolver, new PromotionReviewResolver(new PromotionReviewService(core.db.prisma, core.models, parts.evaluations))],
    [AccessResolver, new AccessResolver(core.apiKeys, core.audit)],
    [AuditService, core.audit],
  ]);
  const container: ContainerType = {
    get(someClass) {
      const instance = resolvers.get(someClass);
      if (!instance) throw new Error(`no instance registered for ${(someClass as { name?: string }).name}`);
      return instance;
    },
  };

  return {
    ...core,
    ...parts,
    redis,
    health,
    promoted,
    serving,
    container,
    async close() {
      await promoted.dispose();
      await parts.close();
      redis.disconnect();
      await core.close();
    },
  };
}
