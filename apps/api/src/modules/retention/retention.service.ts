import { JobKind, type Job } from '@prisma/client';
import type { RetentionPolicy } from '../../jobs/job-kinds';
import type { JobQueue } from '../../queue/queues';
import type { JobsService } from '../jobs/jobs.service';

const SCHEDULER = 'retention';

/** The retention policy of this deployment (environment) and the job that applies it. */
export class RetentionService {
  constructor(
    private readonly jobs: JobsService,
    private readonly queue: JobQueue,
    readonly policy: RetentionPolicy,
    /** Cron pattern (UTC) of the scheduled run; null: only when asked for. */
    readonly cron: string | null,
  ) {}

  /** Puts the scheduler in Redis as configured (workers at start; idempotent, so every worker may). */
  async schedule(): Promise<void> {
    if (this.cron) await this.queue.schedule('retention', SCHEDULER, { pattern: this.cron }, { scheduled: this.policy });
    else await this.queue.unschedule('retention', SCHEDULER);
  }

  runNow(): Promise<Job> {
    return this.jobs.create(JobKind.RETENTION, this.policy);
  }

  nextRun(): Promise<Date | null> {
    return this.cron ? this.queue.nextRun('retention', SCHEDULER) : Promise.resolve(null);
  }
}
