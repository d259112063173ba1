import { AppError } from '../../../errors/app-error';
import type { JobInput } from '../../../jobs/job-kinds';
import { JobCancelledError, type JobContext, type JobDefinition, type JobOutcome } from '../../../jobs/job-runner';
import type { BulkClassificationJob } from '../bulk-classification.job';
import type { ChunkResult } from './classification-chunks';

/**
 * The bulk-classification job as the queue runs it. A job split into chunks (a BullMQ flow)
 * runs here once every chunk has finished and completes with the same summary as a job done in
 * one piece (counted from the stored predictions and invalid names). A job
 * not split, or whose flow Redis lost (fewer chunk results than chunks), is done in one piece.
 */
export class ChunkedClassificationJob implements JobDefinition<'CLASSIFICATION'> {
  readonly kind = 'CLASSIFICATION';

  constructor(private readonly whole: BulkClassificationJob) {}

  backend(): Promise<string | null> {
    return this.whole.backend();
  }

  async run(request: JobInput<'CLASSIFICATION'>, ctx: JobContext<'CLASSIFICATION'>): Promise<JobOutcome<'CLASSIFICATION'>> {
    if (request.chunks == null) return this.whole.run(request, ctx);
    const { values, failures } = await ctx.children();
    if (failures.length > 0)
      throw new AppError(
        'CONFLICT',
        'CHUNK_FAILED',
        `${failures.length} of ${request.chunks} chunk(s) failed after their retries: ${failures[0]}`,
      );
    const chunks = values as ChunkResult[];
    if (chunks.some((c) => c.cancelled)) throw new JobCancelledError();
    if (chunks.length < request.chunks) return this.whole.run(request, ctx);
    const started = Math.min(...chunks.map((c) => c.startedAt));
    return { result: { ...(await this.whole.summary(ctx.jobId)), seconds: (Date.now() - started) / 1000 } };
  }

  cleanUp(jobId: string): Promise<void> {
    return this.whole.cleanUp(jobId);
  }
}
