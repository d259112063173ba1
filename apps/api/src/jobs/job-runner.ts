import { JobState, type JobKind } from '@prisma/client';
import { AppError } from '../errors/app-error';
import type { JobsService } from '../modules/jobs/jobs.service';
import { JOB_KINDS, type JobInput, type JobProgress, type JobResult } from './job-kinds';

/** What a job sees of the runner while it works. */
export interface JobContext<K extends JobKind> {
  jobId: string;
  /** 1-based attempt number. */
  attempt: number;
  /** No retry follows if this attempt fails. */
  final: boolean;
  /** Aborted when the job's cancellation is requested. */
  signal: AbortSignal;
  report(progress: JobProgress<K>): Promise<void>;
  /** A flow's parent (a chunked job): what its children returned, and the errors of those that failed for good. */
  children(): Promise<ChildOutcomes>;
}

export interface ChildOutcomes {
  values: unknown[];
  failures: string[];
}

export interface JobOutcome<K extends JobKind> {
  result: JobResult<K>;
  /** Recorded on the job row (training: the model produced). */
  modelId?: number;
}

/**
 * One kind of job, as its `*.job.ts` implements it: decode and act. The lifecycle around it
 * (finished or cancelled already, start, progress, complete / cancel / fail) is the runner's.
 */
export interface JobDefinition<K extends JobKind> {
  readonly kind: K;
  /** The outcome an earlier attempt already stored before it died, if any: the job completes with it. */
  alreadyDone?(jobId: string): Promise<JobOutcome<K> | null>;
  /** The ML backend the job computes on, recorded when it starts. */
  backend(): Promise<string | null>;
  run(input: JobInput<K>, ctx: JobContext<K>): Promise<JobOutcome<K>>;
  /** Removes the partial output of a cancelled or finally failed job. */
  cleanUp?(jobId: string): Promise<void>;
}

/** Thrown by a job that noticed its cancellation. */
export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** How one attempt was handed over by the queue. */
export interface Attempt {
  jobId: string;
  attempt: number;
  final: boolean;
  /** Also tells the queue (BullMQ's own progress). */
  onProgress?(progress: object): Promise<unknown>;
  /** The queue job's children, when it is a flow's parent. */
  children?(): Promise<ChildOutcomes>;
}

/** How an attempt ended, for the metrics. */
export type AttemptOutcome = 'completed' | 'failed' | 'retrying' | 'cancelled';
export type AttemptObserver = (kind: JobKind, outcome: AttemptOutcome, seconds: number) => void;

/** Runs job attempts: the lifecycle every kind shares, written once. */
export class JobRunner {
  constructor(
    private readonly jobs: JobsService,
    /** Cancellation is a flag on the job row; checking it every second costs one indexed read. */
    private readonly cancelCheckMs = 1000,
    private readonly observe: AttemptObserver = () => undefined,
  ) {}

  async run<K extends JobKind>(definition: JobDefinition<K>, attempt: Attempt): Promise<void> {
    const started = performance.now();
    let outcome: AttemptOutcome = 'failed';
    try {
      outcome = await this.attempt(definition, attempt);
    } catch (err) {
      outcome = attempt.final || err instanceof AppError ? 'failed' : 'retrying';
      throw err;
    } finally {
      this.observe(definition.kind, outcome, (performance.now() - started) / 1000);
    }
  }

  private async attempt<K extends JobKind>(definition: JobDefinition<K>, attempt: Attempt): Promise<AttemptOutcome> {
    const { jobId } = attempt;
    const job = await this.jobs.get(jobId);
    if (job.state === JobState.CANCELLED) return 'cancelled';
    if (job.state === JobState.COMPLETED) return 'completed';
    // Failed for good by an earlier attempt: the queue's retry has nothing to do.
    if (job.state === JobState.FAILED) return 'failed';
    if (job.cancelRequested) {
      // A chunked job's chunks may have written before they saw the cancellation.
      await definition.cleanUp?.(jobId);
      await this.jobs.markCancelled(jobId);
      return 'cancelled';
    }
    const done = await definition.alreadyDone?.(jobId);
    if (done) {
      await this.jobs.complete(jobId, done.result, done.modelId);
      return 'completed';
    }

    const parsed = JOB_KINDS[definition.kind].input.safeParse(job.input);
    if (!parsed.success) {
      // Cannot get better on a retry.
      await this.jobs.fail(jobId, `invalid job input: ${parsed.error.message}`, true);
      throw new AppError('BAD_USER_INPUT', 'INVALID_JOB_INPUT', `job ${jobId}: invalid input`);
    }
    const input = parsed.data as JobInput<K>;
    await this.jobs.start(jobId, attempt.attempt, await definition.backend());

    const controller = new AbortController();
    const poll = setInterval(() => {
      this.jobs.cancelRequested(jobId).then(
        (yes) => yes && controller.abort(),
        () => undefined,
      );
    }, this.cancelCheckMs);
    const ctx: JobContext<K> = {
      jobId,
      attempt: attempt.attempt,
      final: attempt.final,
      signal: controller.signal,
      report: async (progress) => {
        await Promise.all([this.jobs.reportProgress(jobId, progress), attempt.onProgress?.(progress)]);
      },
      children: () => attempt.children?.() ?? Promise.resolve({ values: [], failures: [] }),
    };
    try {
      const outcome = await definition.run(input, ctx);
      await this.jobs.complete(jobId, outcome.result, outcome.modelId);
      return 'completed';
    } catch (err) {
      if (err instanceof JobCancelledError || controller.signal.aborted) {
        await definition.cleanUp?.(jobId);
        await this.jobs.markCancelled(jobId);
        return 'cancelled';
      }
      const final = attempt.final || err instanceof AppError;
      if (final) await definition.cleanUp?.(jobId);
      await this.jobs.fail(jobId, err instanceof Error ? err.message : String(err), final);
      throw err;
    } finally {
      clearInterval(poll);
    }
  }
}
