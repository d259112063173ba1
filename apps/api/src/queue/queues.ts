import { FlowProducer, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { KeyRange } from '../modules/snapshots/snapshot-domains';

/**
 * What a job of the job runtime carries: the id of its job row (the row holds the input), or,
 * for a job a BullMQ job scheduler made, the input itself: the worker writes the row then.
 */
export type RuntimePayload = { jobId: string } | { scheduled: unknown };

/** Every queue, with the payload its jobs carry. */
export interface JobPayloads {
  'model-training': RuntimePayload;
  'bulk-classification': RuntimePayload;
  'model-evaluation': RuntimePayload;
  'feed-pull': RuntimePayload;
  retention: RuntimePayload;
  /** Not a job of the runtime: the delivery log row is its record (modules/alerts). */
  'webhook-delivery': { deliveryId: string };
  /** One chunk of a bulk-classification job (modules/classification/chunked): a child of the job's flow. */
  'classification-chunk': ChunkPayload;
}

/** Which part of a bulk job a chunk classifies: a key range of its snapshot, or a slice of its list. */
export interface ChunkPayload {
  jobId: string;
  index: number;
  range: KeyRange | null;
  slice: { start: number; end: number } | null;
}
export type QueueName = keyof JobPayloads;
export const QUEUE_NAMES: readonly QueueName[] = [
  'model-training',
  'bulk-classification',
  'model-evaluation',
  'feed-pull',
  'retention',
  'webhook-delivery',
  'classification-chunk',
];

/** When a job scheduler makes its jobs: a cron pattern (UTC) or a fixed interval. */
export type Repeat = { pattern: string } | { every: number };

/** Retries of a queue's jobs, where they differ from the default. */
export type RetryOptions = Pick<JobsOptions, 'attempts' | 'backoff'>;

export interface JobQueue {
  add<Q extends QueueName>(queue: Q, data: JobPayloads[Q], jobId?: string): Promise<void>;
  /** Creates or replaces a BullMQ job scheduler: Redis makes a job with `data` at each time, whoever runs. */
  schedule<Q extends QueueName>(queue: Q, schedulerId: string, repeat: Repeat, data: JobPayloads[Q]): Promise<void>;
  /** Removes a job scheduler; false when there was none. */
  unschedule(queue: QueueName, schedulerId: string): Promise<boolean>;
  /** When the scheduler makes its next job; null when there is no such scheduler. */
  nextRun(queue: QueueName, schedulerId: string): Promise<Date | null>;
  /** Jobs per queue and state (waiting, active, delayed, failed…), for the metrics. */
  depth(): Promise<Array<{ queue: QueueName; state: string; count: number }>>;
  /**
   * A flow: the parent job (the job row's id) runs once every child has finished; each child is
   * retried on its own (a killed worker's child is taken by another worker).
   */
  addFlow<Q extends QueueName, C extends QueueName>(
    queue: Q,
    data: JobPayloads[Q] & { jobId: string },
    childQueue: C,
    children: Array<{ jobId: string; data: JobPayloads[C] }>,
  ): Promise<void>;
  /** Removes a job that no worker has taken yet; false when it is already running or gone. */
  removeWaiting(queue: QueueName, jobId: string): Promise<boolean>;
  /** Whether Redis still holds the job, in any state. */
  has(queue: QueueName, jobId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Retries with backoff for crashes; the job id is ours, so BullMQ never queues one twice. */
const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers must wait for Redis forever rather than fail their commands.
    maxRetriesPerRequest: null,
  };
}

export class BullJobQueue implements JobQueue {
  private readonly queues: Map<QueueName, Queue>;
  private readonly flows: FlowProducer;

  constructor(
    redisUrl: string,
    prefix = 'dgascope',
    private readonly retries: Partial<Record<QueueName, RetryOptions>> = {},
  ) {
    // The producer side fails at once while Redis is away instead of queueing the command
    // offline: a job the API reported as not queued must never be queued later behind its back.
    const connection = { ...redisConnection(redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false };
    this.queues = new Map(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })]));
    this.flows = new FlowProducer({ connection, prefix });
  }

  private options(queue: QueueName): JobsOptions {
    return { ...JOB_OPTIONS, ...this.retries[queue] };
  }

  async add<Q extends QueueName>(queue: Q, data: JobPayloads[Q], jobId?: string): Promise<void> {
    const id = jobId ?? ('jobId' in data ? data.jobId : undefined);
    await this.queues.get(queue)!.add(queue, data, { ...this.options(queue), ...(id ? { jobId: id } : {}) });
  }

  async schedule<Q extends QueueName>(queue: Q, schedulerId: string, repeat: Repeat, data: JobPayloads[Q]): Promise<void> {
    // Cron patterns are read in UTC, whatever the host's time zone.
    const when = 'pattern' in repeat ? { pattern: repeat.pattern, tz: 'UTC' } : { every: repeat.every };
    await this.queues.get(queue)!.upsertJobScheduler(schedulerId, when, { name: queue, data, opts: this.options(queue) });
  }

  async unschedule(queue: QueueName, schedulerId: string): Promise<boolean> {
    return this.queues.get(queue)!.removeJobScheduler(schedulerId);
  }

  async nextRun(queue: QueueName, schedulerId: string): Promise<Date | null> {
    const scheduler = await this.queues.get(queue)!.getJobScheduler(schedulerId);
    return scheduler?.next ? new Date(scheduler.next) : null;
  }

  async depth(): Promise<Array<{ queue: QueueName; state: string; count: number }>> {
    const states = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;
    const all = await Promise.all(
      [...this.queues.entries()].map(async ([queue, q]) => {
        const counts = await q.getJobCounts(...states);
        return states.map((state) => ({ queue, state, count: counts[state] ?? 0 }));
      }),
    );
    return all.flat();
  }

  async addFlow<Q extends QueueName, C extends QueueName>(
    queue: Q,
    data: JobPayloads[Q] & { jobId: string },
    childQueue: C,
    children: Array<{ jobId: string; data: JobPayloads[C] }>,
  ): Promise<void> {
    await this.flows.add({
      name: queue,
      queueName: queue,
      data,
      opts: { ...this.options(queue), jobId: data.jobId },
      children: children.map((c) => ({
        name: childQueue,
        queueName: childQueue,
        data: c.data,
        // A child that fails for good does not leave the parent waiting forever: the parent runs
        // and finds the failure (getIgnoredChildrenFailures).
        opts: { ...this.options(childQueue), jobId: c.jobId, ignoreDependencyOnFailure: true },
      })),
    });
  }

  async removeWaiting(queue: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queues.get(queue)!.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized' && state !== 'waiting-children') return false;
    // A flow's parent goes with its children; BullMQ refuses while a child is running (locked).
    try {
      await job.remove();
    } catch {
      return false;
    }
    return (await this.queues.get(queue)!.getJob(jobId)) == null;
  }

  async has(queue: QueueName, jobId: string): Promise<boolean> {
    return (await this.queues.get(queue)!.getJob(jobId)) != null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows.close();
  }
}
