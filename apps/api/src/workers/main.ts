import 'reflect-metadata';
import { ensureBackend } from '@dgascope/ml';
import { Worker, type Job as BullJob } from 'bullmq';
import { EnvError, loadEnv } from '../config/env';
import { createWorkerDeps } from '../deps';
import type { JobKind } from '@prisma/client';
import { JOB_KINDS } from '../jobs/job-kinds';
import { redisConnection, type JobPayloads, type QueueName } from '../queue/queues';

/** How often a worker looks for job rows that Redis has lost. */
const REQUEUE_CHECK_MS = 30_000;

/**
 * The worker process (`npm run worker`): runs training, bulk-classification and evaluation jobs from
 * Redis. It can run on any host with the same DATABASE_URL and REDIS_URL.
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
  // One BullMQ worker per job kind: it hands each attempt to the job runner.
  const workerFor = (kind: JobKind) =>
    new Worker<JobPayloads[QueueName]>(
      JOB_KINDS[kind].queue,
      (job: BullJob<JobPayloads[QueueName]>) =>
        deps.runner.run(deps.jobKinds[kind], {
          jobId: job.data.jobId,
          // Runs started, counting those whose worker died (BullMQ counts only failures in attemptsMade).
          attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1),
          final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
          onProgress: (progress) => job.updateProgress(progress),
        }),
      {
        connection,
        prefix: env.QUEUE_PREFIX,
        concurrency: env.WORKER_CONCURRENCY,
        lockDuration: env.WORKER_LOCK_MS,
        // A job whose worker died is taken again by the next worker (twice at most).
        maxStalledCount: 2,
        stalledInterval: Math.max(1000, Math.floor(env.WORKER_LOCK_MS / 2)),
      },
    );

  const workers = [workerFor('TRAINING'), workerFor('CLASSIFICATION'), workerFor('EVALUATION')];
  for (const w of workers) w.on('failed', (job, err) => console.error(`${w.name} job ${job?.data.jobId ?? '?'} failed: ${err.message}`));
  console.log(`dgascope worker: queues ${workers.map((w) => w.name).join(', ')} (concurrency ${env.WORKER_CONCURRENCY})`);

  const requeueLost = () =>
    deps.jobs.requeueLost().then(
      (ids) => ids.length > 0 && console.log(`dgascope worker: re-queued ${ids.length} job(s) Redis had lost: ${ids.join(', ')}`),
      (err: unknown) => console.error(`dgascope worker: could not check for lost jobs: ${(err as Error).message}`),
    );
  await requeueLost();
  const reconcile = setInterval(requeueLost, REQUEUE_CHECK_MS);

  const shutdown = async () => {
    clearInterval(reconcile);
    await Promise.all(workers.map((w) => w.close()));
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
