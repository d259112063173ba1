import 'reflect-metadata';
import { ensureBackend } from '@dgascope/ml';
import { UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import type { JobKind } from '@prisma/client';
import { EnvError, loadEnv } from '../config/env';
import { createWorkerDeps } from '../deps';
import { AppError } from '../errors/app-error';
import { JOB_KINDS } from '../jobs/job-kinds';
import { startMetricsServer } from '../metrics/metrics-server';
import { WORKER_NAME } from '../modules/classification/chunked/classification-chunks';
import { redisConnection, type JobPayloads, type RuntimePayload } from '../queue/queues';

/** How often a worker looks for job rows that Redis has lost. */
const REQUEUE_CHECK_MS = 30_000;
const DEFAULT_METRICS_PORT = 9464;

/**
 * The worker process (`npm run worker`): runs every kind of job (training, bulk
 * classification and its chunks, evaluations, feed pulls, retention) and webhook deliveries from Redis. It can run on any
 * host with the same DATABASE_URL and REDIS_URL.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  // Jobs run as long as their data needs: the API's statement timeout is not theirs.
  const deps = createWorkerDeps({ ...env, STATEMENT_TIMEOUT_MS: 0 });
  const backend = await ensureBackend(env.ML_BACKEND ? { backend: env.ML_BACKEND } : {});
  console.log(
    `dgascope worker: ML backend ${backend.choice} (${backend.backend})${backend.notes.length ? `; ${backend.notes.join('; ')}` : ''}`,
  );

  const connection = redisConnection(env.REDIS_URL);
  const options = {
    connection,
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WORKER_CONCURRENCY,
    lockDuration: env.WORKER_LOCK_MS,
    // A job whose worker died is taken again by the next worker (twice at most).
    maxStalledCount: 2,
    stalledInterval: Math.max(1000, Math.floor(env.WORKER_LOCK_MS / 2)),
  };
  // One BullMQ worker per job kind: it hands each attempt to the job runner.
  const workerFor = (kind: JobKind) =>
    new Worker<RuntimePayload>(
      JOB_KINDS[kind].queue,
      async (job: BullJob<RuntimePayload>) => {
        // A job scheduler's job carries its input: its row is written by whoever takes it first.
        const jobId = 'jobId' in job.data ? job.data.jobId : await deps.jobs.adopt(kind, job.id!, job.data.scheduled as never);
        try {
          await deps.runner.run(deps.jobKinds[kind], {
            jobId,
            // Runs started, counting those whose worker died (BullMQ counts only failures in attemptsMade).
            attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1),
            final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
            onProgress: (progress) => job.updateProgress(progress),
            // A chunked bulk job runs after its chunks: what they returned, and which failed for good.
            children: async () => ({
              values: Object.values(await job.getChildrenValues()),
              failures: Object.values(await job.getIgnoredChildrenFailures()),
            }),
          });
        } catch (err) {
          // The runner failed the job for good: no retry of the queue's may run it again.
          if (err instanceof AppError) throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      options,
    );

  const kinds = Object.keys(JOB_KINDS) as JobKind[];
  const workers: Worker[] = kinds.map(workerFor);
  workers.push(
    new Worker<JobPayloads['webhook-delivery']>(
      'webhook-delivery',
      (job) =>
        deps.webhookDelivery.send({
          deliveryId: job.data.deliveryId,
          attempt: job.attemptsMade + 1,
          final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        }),
      { ...options, concurrency: Math.max(4, env.WORKER_CONCURRENCY) },
    ),
  );
  workers.push(
    // Named, so that a chunk shows which worker process ran it (BullMQ's processedBy).
    new Worker<JobPayloads['classification-chunk']>('classification-chunk', (job) => deps.chunks.run(job.data), {
      ...options,
      name: WORKER_NAME,
    }),
  );
  for (const w of workers) w.on('failed', (job, err) => console.error(`${w.name} job ${job?.id ?? '?'} failed: ${err.message}`));
  console.log(`dgascope worker: queues ${workers.map((w) => w.name).join(', ')} (concurrency ${env.WORKER_CONCURRENCY})`);

  const metricsPort = env.METRICS_PORT ?? DEFAULT_METRICS_PORT;
  const metrics =
    metricsPort > 0
      ? await startMetricsServer(deps.metrics, env.METRICS_HOST, metricsPort).then(
          (server) => {
            console.log(`dgascope worker: metrics on http://${env.METRICS_HOST}:${metricsPort}/metrics`);
            return server;
          },
          (err: Error) => {
            // A second worker on the same host: it works on, without metrics, and says why.
            console.error(`dgascope worker: no metrics: port ${metricsPort}: ${err.message} (give each worker its own METRICS_PORT)`);
            return null;
          },
        )
      : null;

  // Redis may have lost the job schedulers (restarted empty): PostgreSQL says what they are.
  const schedule = () =>
    Promise.all([deps.feedPulls.syncAll(), deps.retention.schedule()]).catch((err: unknown) =>
      console.error(`dgascope worker: could not set the job schedulers: ${(err as Error).message}`),
    );
  await schedule();

  const requeueLost = () =>
    deps.jobs.requeueLost().then(
      (ids) => ids.length > 0 && console.log(`dgascope worker: re-queued ${ids.length} job(s) Redis had lost: ${ids.join(', ')}`),
      (err: unknown) => console.error(`dgascope worker: could not check for lost jobs: ${(err as Error).message}`),
    );
  await requeueLost();
  const reconcile = setInterval(requeueLost, REQUEUE_CHECK_MS);

  const shutdown = async () => {
    clearInterval(reconcile);
    metrics?.close();
    await Promise.all(workers.map((w) => w.close()));
    await deps.chunks.close();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(1);
});
