import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';

/** Every queue, with the payload its jobs carry (the job row id; the row holds the input). */
export interface JobPayloads {
  'model-training': { jobId: string };
  'bulk-classification': { jobId: string };
  'model-evaluation': { jobId: string };
}
export type QueueName = keyof JobPayloads;
export const QUEUE_NAMES: readonly QueueName[] = ['model-training', 'bulk-classification', 'model-evaluation'];

export interface JobQueue {
  add<Q extends QueueName>(queue: Q, data: JobPayloads[Q]): Promise<void>;
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

  constructor(redisUrl: string, prefix = 'dgascope') {
    // The producer side fails at once while Redis is away instead of queueing the command
    // offline: a job the API reported as not queued must never be queued later behind its back.
    const connection = { ...redisConnection(redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false };
    this.queues = new Map(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })]));
  }

  async add<Q extends QueueName>(queue: Q, data: JobPayloads[Q]): Promise<void> {
    await this.queues.get(queue)!.add(queue, data, { ...JOB_OPTIONS, jobId: data.jobId });
  }

  async removeWaiting(queue: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queues.get(queue)!.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    await job.remove().catch(() => undefined);
    return true;
  }

  async has(queue: QueueName, jobId: string): Promise<boolean> {
    return (await this.queues.get(queue)!.getJob(jobId)) != null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
