import { JobKind, JobState, Prisma, type Job, type PrismaClient } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import { queueOf, type JobInputIn } from '../../jobs/job-kinds';
import { toJson } from '../../jobs/json';
import type { JobPayloads, JobQueue, QueueName } from '../../queue/queues';
const FINISHED: JobState[] = [JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED];

/** Job rows: created by the API, driven through their states by the workers. */
export class JobsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly queue: JobQueue,
  ) {}

  /**
   * `requestedBy`: who asked for it, as the audit log names the caller (an API key's name,
   * "bootstrap (ADMIN_API_KEY)", "cli:<os user>"); null when dgascope starts a job itself.
   * `chunks`: the job is a flow (BullMQ), its parts queued as children on `chunks.queue` that
   * every worker takes part in; the job itself runs once they have all finished.
   */
  async create<K extends JobKind, C extends QueueName>(
    kind: K,
    input: JobInputIn<K>,
    modelId: number | null = null,
    requestedBy: string | null = null,
    chunks?: { queue: C; data: (jobId: string) => Array<JobPayloads[C]> },
  ): Promise<Job> {
    const job = await this.prisma.job.create({ data: { id: randomUUID(), kind, input: toJson(input), modelId, requestedBy } });
    try {
      if (chunks)
        await this.queue.addFlow(
          queueOf(kind),
          { jobId: job.id },
          chunks.queue,
          chunks.data(job.id).map((data, i) => ({ jobId: `${job.id}-chunk-${i}`, data })),
        );
      else await this.queue.add(queueOf(kind), { jobId: job.id });
    } catch (err) {
      await this.prisma.job.update({
        where: { id: job.id },
        data: { state: JobState.FAILED, error: `could not be queued: ${(err as Error).message}`, finishedAt: new Date() },
      });
      throw new AppError('CONFLICT', 'QUEUE_UNAVAILABLE', `the job could not be queued (is Redis up?): ${(err as Error).message}`);
    }
    return job;
  }

  /**
   * The row of a job that a BullMQ job scheduler made (a scheduled feed pull, the retention
   * job): written by the worker that takes it, under the queue's job id, once.
   */
  async adopt<K extends JobKind>(kind: K, id: string, input: JobInputIn<K>): Promise<string> {
    await this.prisma.job.upsert({ where: { id }, create: { id, kind, input: toJson(input) }, update: {} });
    return id;
  }

  async get(id: string): Promise<Job> {
    const job = await this.prisma.job.findUnique({ where: { id } });
    if (!job) throw new AppError('NOT_FOUND', 'JOB_NOT_FOUND', `job ${id} not found`);
    return job;
  }

  /** Newest first. */
  async list(
    filter: { kind?: JobKind | null; state?: JobState | null },
    first: number,
    after?: string | null,
  ): Promise<ConnectionValue<Job>> {
    const cursor = decodeCursor<[string, string]>(after, ['string', 'string']);
    const where: Prisma.JobWhereInput = { ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.state ? { state: filter.state } : {}) };
    const rows = await this.prisma.job.findMany({
      where: {
        ...where,
        ...(cursor ? { OR: [{ createdAt: { lt: new Date(cursor[0]) } }, { createdAt: new Date(cursor[0]), id: { lt: cursor[1] } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    return toConnection(rows, first, (j) => [j.createdAt.toISOString(), j.id], await this.prisma.job.count({ where }));
  }

  /**
   * A queued job is removed from its queue and cancelled at once; a running one is asked
   * to stop and is cancelled by its worker at the next batch.
   */
  async cancel(id: string): Promise<Job> {
    const job = await this.get(id);
    if (FINISHED.includes(job.state)) throw new AppError('CONFLICT', 'JOB_FINISHED', `job ${id} is already ${job.state.toLowerCase()}`);
    await this.prisma.job.update({ where: { id }, data: { cancelRequested: true } });
    let removed = false;
    if (job.state === JobState.QUEUED) {
      try {
        removed = await this.queue.removeWaiting(queueOf(job.kind), id);
      } catch {
        // The flag is written: a worker that takes the job later cancels it instead of running it.
        throw new AppError(
          'CONFLICT',
          'CANCEL_PENDING',
          `the queue (Redis) is unavailable, so job ${id} could not be taken off it; its cancellation is recorded and the job will be cancelled, not run, when a worker takes it`,
        );
      }
    }
    if (removed) {
      return this.prisma.job.update({ where: { id }, data: { state: JobState.CANCELLED, finishedAt: new Date() } });
    }
    return this.get(id);
  }

  // --- used by the workers ----------------------------------------------------------

  async start(id: string, attempt: number, backend: string | null): Promise<Job> {
    const current = await this.prisma.job.findUnique({ where: { id }, select: { state: true, startedAt: true } });
    // A chunked job is active since its first chunk started: that is when it started.
    const startedAt = current?.state === JobState.ACTIVE && current.startedAt ? current.startedAt : new Date();
    return this.prisma.job.update({
      where: { id },
      data: { state: JobState.ACTIVE, attempts: attempt, startedAt, backend, error: null },
    });
  }

  async reportProgress(id: string, progress: unknown): Promise<void> {
    await this.prisma.job.update({ where: { id }, data: { progress: toJson(progress) } });
  }

  /** The model a training job produces, recorded as soon as its row exists. */
  async attachModel(id: string, modelId: number): Promise<void> {
    await this.prisma.job.update({ where: { id }, data: { modelId } });
  }

  async complete(id: string, result: unknown, modelId?: number): Promise<void> {
    await this.prisma.job.update({
      where: { id },
      data: { state: JobState.COMPLETED, result: toJson(result), finishedAt: new Date(), ...(modelId ? { modelId } : {}) },
    });
  }

  async markCancelled(id: string): Promise<void> {
    await this.prisma.job.update({ where: { id }, data: { state: JobState.CANCELLED, finishedAt: new Date() } });
  }

  /** `final`: no retry follows (the job is FAILED); otherwise it goes back to QUEUED with its error. */
  async fail(id: string, error: string, final: boolean): Promise<void> {
    await this.prisma.job.update({
      where: { id },
      data: final
        ? { state: JobState.FAILED, error, finishedAt: new Date() }
        : { state: JobState.QUEUED, error: `attempt failed, will retry: ${error}` },
    });
  }

  /**
   * Puts back in Redis every unfinished job row that Redis no longer holds (Redis restarted
   * without its data, or was restored from an old backup). PostgreSQL is the source of truth;
   * BullMQ ignores a job id it already has, so running this on several workers at once is safe.
   */
  async requeueLost(): Promise<string[]> {
    const open = await this.prisma.job.findMany({
      where: { state: { in: [JobState.QUEUED, JobState.ACTIVE] }, cancelRequested: false },
      select: { id: true, kind: true },
      orderBy: { createdAt: 'asc' },
    });
    const requeued: string[] = [];
    for (const job of open) {
      if (await this.queue.has(queueOf(job.kind), job.id)) continue;
      await this.queue.add(queueOf(job.kind), { jobId: job.id });
      requeued.push(job.id);
    }
    return requeued;
  }

  /** The first chunk to start marks its job active (once). */
  async markChunkedStarted(id: string, backend: string | null): Promise<void> {
    await this.prisma.job.updateMany({
      where: { id, state: JobState.QUEUED },
      data: { state: JobState.ACTIVE, startedAt: new Date(), backend, attempts: 1 },
    });
  }

  /** Adds a finished chunk's domains to the job's progress (one statement: chunks finish on several workers at once). */
  async addChunkProgress(id: string, processed: number, total: number, chunks: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE jobs SET progress = jsonb_build_object(
        'stage', 'classifying',
        'processed', LEAST(${total}::int, COALESCE((progress->>'processed')::int, 0) + ${processed}::int),
        'total', ${total}::int,
        'chunksDone', COALESCE((progress->>'chunksDone')::int, 0) + 1,
        'chunks', ${chunks}::int)
      WHERE id = ${id}`;
  }

  async cancelRequested(id: string): Promise<boolean> {
    const job = await this.prisma.job.findUnique({ where: { id }, select: { cancelRequested: true } });
    return job?.cancelRequested ?? true;
  }
}
