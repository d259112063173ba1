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
import { Metrics } from './metrics/metrics';
import { FeedPullsService } from './modules/feed-pulls/feed-pulls.service';
import { FeedPullJob } from './modules/feed-pulls/feed-pull.job';
import { FeedPullsResolver } from './modules/feed-pulls/feed-pulls.resolver';
import { WebhooksService } from './modules/alerts/webhooks.service';
import { AlertsService } from './modules/alerts/alerts.service';
import { alertsHook } from './modules/alerts/alerts.hook';
import { AlertsResolver } from './modules/alerts/alerts.resolver';
import { WebhookDelivery } from './modules/alerts/webhook-delivery';
import { RetentionService } from './modules/retention/retention.service';
import { RetentionJob } from './modules/retention/retention.job';
import { DeletionService } from './modules/retention/deletion.service';
import { RetentionResolver } from './modules/retention/retention.resolver';
import { ClassificationChunks } from './modules/classification/chunked/classification-chunks';
import { ChunkedClassificationJob } from './modules/classification/chunked/chunked-classification.job';
import { EvaluationJob } from './modules/evaluations/evaluation.job';
import { EvaluationsResolver } from './modules/evaluations/evaluations.resolver';
import { EvaluationsService } from './modules/evaluations/evaluations.service';
import { PromotionReviewResolver } from './modules/evaluations/promotion-review.resolver';
import { PromotionReviewService } from './modules/evaluations/promotion-review.service';

/** What the database-backed services need: every entry point (the CLI needs no more). */
export type CoreEnv = Pick<Env, 'DATABASE_URL' | 'MAX_INGEST_BYTES'> &
  Partial<Pick<Env, 'ADMIN_API_KEY' | 'INGEST_URL_ALLOW' | 'INGEST_IDLE_TIMEOUT_MS' | 'STATEMENT_TIMEOUT_MS'>>;
/** What the queues and jobs need besides (the API queues jobs, the worker runs them). */
export type JobsEnv = Pick<Env, 'REDIS_URL' | 'QUEUE_PREFIX'> &
  Partial<
    Pick<
      Env,
      | 'ML_BACKEND'
      | 'INFERENCE_THREADS'
      | 'INGEST_URL_ALLOW'
      | 'INGEST_IDLE_TIMEOUT_MS'
      | 'FEED_PULL_MIN_INTERVAL_S'
      | 'FEED_PULL_ATTEMPTS'
      | 'FEED_PULL_BACKOFF_MS'
      | 'WEBHOOK_ATTEMPTS'
      | 'WEBHOOK_BACKOFF_MS'
      | 'RETENTION_CRON'
      | 'RETENTION_MAX_AGE_DAYS'
      | 'RETENTION_KEEP_JOBS'
      | 'RETENTION_BATCH'
      | 'CLASSIFY_CHUNK_SIZE'
    >
  >;
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
  metrics: Metrics;
  training: TrainingService;
  classification: BulkClassificationService;
  feedPulls: FeedPullsService;
  webhooks: WebhooksService;
  alerts: AlertsService;
  retention: RetentionService;
  deletion: DeletionService;
  /** The worker's webhook-delivery queue (not a job of the runtime: the delivery log is its record). */
  webhookDelivery: WebhookDelivery;
  /** The worker's classification-chunk queue: the parts of a bulk job split over the workers. */
  chunks: ClassificationChunks;
  evaluations: EvaluationsService;
  /** What the worker runs: each job kind, and the runner around them. */
  jobKinds: { [K in JobKind]: JobDefinition<K> };
  runner: JobRunner;
  close(): Promise<void>;
}

const exponential = (attempts: number, delay: number) => ({ attempts, backoff: { type: 'exponential', delay } });
/** 0 in the environment means "no limit". */
const limit = (value: number | undefined, fallback: number) => ((value ?? fallback) > 0 ? (value ?? fallback) : null);

export function createJobParts(core: Core, env: JobsEnv, processName: 'api' | 'worker' = 'api'): JobParts {
  const queue = new BullJobQueue(env.REDIS_URL, env.QUEUE_PREFIX, {
    'feed-pull': exponential(env.FEED_PULL_ATTEMPTS ?? 4, env.FEED_PULL_BACKOFF_MS ?? 60_000),
    'webhook-delivery': exponential(env.WEBHOOK_ATTEMPTS ?? 6, env.WEBHOOK_BACKOFF_MS ?? 10_000),
    // Retention is idempotent: a failed run is simply the next scheduled one.
    retention: { attempts: 1 },
  });
  const jobs = new JobsService(core.db.prisma, queue);
  const metrics = new Metrics(processName, { queueDepth: () => queue.depth(), promotedModel: () => core.models.promotedId() });
  const db = core.db.prisma;
  const feedPulls = new FeedPullsService(db, queue, jobs, env.FEED_PULL_MIN_INTERVAL_S ?? 60, (outcome) =>
    metrics.feedPulls.inc({ outcome }),
  );
  const webhooks = new WebhooksService(db, queue);
  const alerts = new AlertsService(db, webhooks);
  const evaluations = new EvaluationsService(db, jobs, core.models);
  // The post-ingest hooks that queue jobs live where the queues do: every process that can queue
  // (the API, a worker, the CLI with REDIS_URL) runs them after an ingestion of its own.
  core.ingestion.afterIngest.add(evaluations.evaluatePromotedModelHook());
  core.ingestion.afterIngest.add(alertsHook(alerts));
  core.ingestion.afterIngest.add({
    name: 'metrics',
    run: async (snapshot) => {
      metrics.snapshotsIngested.inc({ feed_kind: snapshot.feedKind });
      metrics.ingestedRows.inc({ feed_kind: snapshot.feedKind }, snapshot.rowsAccepted);
      return `counted ${snapshot.rowsAccepted} rows`;
    },
  });
  core.predictions.onWritten((rows) => metrics.predictionsWritten.inc(rows));
  const retention = new RetentionService(
    jobs,
    queue,
    {
      maxAgeDays: limit(env.RETENTION_MAX_AGE_DAYS, 90),
      keepJobsPerSnapshot: limit(env.RETENTION_KEEP_JOBS, 5),
      batchSize: env.RETENTION_BATCH ?? 10_000,
    },
    (env.RETENTION_CRON ?? '30 3 * * *').trim() || null,
  );
  const urlPolicy = { allow: env.INGEST_URL_ALLOW ?? [], idleTimeoutMs: env.INGEST_IDLE_TIMEOUT_MS ?? 30_000 };
  // One piece, or each chunk of a job split over the workers: the same writes and summary.
  const bulkJob = new BulkClassificationJob(
    core.models,
    core.predictions,
    core.invalidNames,
    core.snapshotDomains,
    env.INFERENCE_THREADS ?? 2,
  );
  return {
    queue,
    jobs,
    metrics,
    training: new TrainingService(jobs, core.models, core.snapshots),
    classification: new BulkClassificationService(
      jobs,
      core.models,
      core.snapshots,
      core.snapshotDomains,
      env.CLASSIFY_CHUNK_SIZE ?? 50_000,
    ),
    feedPulls,
    webhooks,
    alerts,
    evaluations,
    retention,
    deletion: new DeletionService(db, core.db.pool, env.RETENTION_BATCH ?? 10_000),
    chunks: new ClassificationChunks(jobs, core.models, bulkJob, core.snapshotDomains, env.INFERENCE_THREADS ?? 2),
    webhookDelivery: new WebhookDelivery(db, urlPolicy, (outcome) => metrics.webhookDeliveries.inc({ outcome })),
    jobKinds: {
      TRAINING: new TrainingJob(core.snapshotDomains, jobs, core.models, env.ML_BACKEND),
      CLASSIFICATION: new ChunkedClassificationJob(bulkJob),
      FEED_PULL: new FeedPullJob(db, core.ingestion, feedPulls),
      RETENTION: new RetentionJob(core.db.pool, (n) => metrics.retentionDeleted.inc(n)),
      // An evaluation the post-ingest hook asked for raises the alert rules again with its numbers.
      EVALUATION: new EvaluationJob(core.models, evaluations, core.snapshotDomains, env.ML_BACKEND, (snapshotId, e, modelId) =>
        alerts.raiseFor(snapshotId, {
          evaluation: { modelId, evaluationId: e.evaluationId, macroF1: e.macroF1, flaggedRate: e.flaggedRate },
        }),
      ),
    },
    runner: new JobRunner(jobs, 1000, (kind, outcome, seconds) => {
      metrics.jobsTotal.inc({ kind, outcome });
      metrics.jobDuration.observe({ kind, outcome }, seconds);
    }),
    close: () => queue.close(),
  };
}

/** The worker process: the database, the queues and the jobs (no HTTP, no served model). */
export function createWorkerDeps(env: CoreEnv & JobsEnv): Core & JobParts {
  const core = createCore(env);
  const parts = createJobParts(core, env, 'worker');
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
    [FeedPullsResolver, new FeedPullsResolver(parts.feedPulls)],
    [AlertsResolver, new AlertsResolver(parts.webhooks)],
    [RetentionResolver, new RetentionResolver(parts.deletion, parts.retention)],
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
