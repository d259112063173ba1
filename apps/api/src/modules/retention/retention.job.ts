import type { Pool } from 'pg';
import type { JobInput } from '../../jobs/job-kinds';
import { JobCancelledError, type JobContext, type JobDefinition, type JobOutcome } from '../../jobs/job-runner';
import { BatchedDelete } from './batched-delete';

/**
 * The bulk-classification jobs whose predictions the policy removes. Only completed jobs whose
 * predictions are still there count; the newest completed job of each snapshot is never one
 * of them. A list job (no snapshot) is subject to the age limit only.
 */
export async function prunableJobs(
  pool: Pool,
  policy: Pick<JobInput<'RETENTION'>, 'maxAgeDays' | 'keepJobsPerSnapshot'>,
): Promise<string[]> {
  if (policy.maxAgeDays == null && policy.keepJobsPerSnapshot == null) return [];
  const r = await pool.query<{ id: string }>(
    `WITH ranked AS (
       SELECT id, input->>'snapshotId' AS snapshot_id, finished_at, predictions_removed_at,
              row_number() OVER (PARTITION BY input->>'snapshotId' ORDER BY created_at DESC, id DESC) AS newest
       FROM jobs
       WHERE kind = 'CLASSIFICATION' AND state = 'COMPLETED'
     )
     SELECT id FROM ranked
     WHERE predictions_removed_at IS NULL
       AND (snapshot_id IS NULL OR newest > 1)
       AND (   ($1::float8 IS NOT NULL AND finished_at < now() - make_interval(secs => $1::float8 * 86400))
            OR ($2::int IS NOT NULL AND snapshot_id IS NOT NULL AND newest > $2::int))
     ORDER BY finished_at`,
    [policy.maxAgeDays, policy.keepJobsPerSnapshot],
  );
  return r.rows.map((row) => row.id);
}

/**
 * The retention job: removes the predictions the policy no longer keeps, job by job in
 * batches of the primary key (no long lock on the table), marks each job's predictions as
 * removed (its result summary stays).
 * Snapshots and models are never removed here: only deleteSnapshot / deleteModel do that.
 */
export class RetentionJob implements JobDefinition<'RETENTION'> {
  readonly kind = 'RETENTION';

  constructor(
    private readonly pool: Pool,
    private readonly onDeleted: (predictions: number) => void = () => undefined,
  ) {}

  async backend(): Promise<string | null> {
    return null;
  }

  async run(policy: JobInput<'RETENTION'>, ctx: JobContext<'RETENTION'>): Promise<JobOutcome<'RETENTION'>> {
    const deleter = new BatchedDelete(this.pool, policy.batchSize);
    const jobs = await prunableJobs(this.pool, policy);
    let predictionsDeleted = 0;
    let jobsPruned = 0;
    for (const jobId of jobs) {
      if (ctx.signal.aborted) throw new JobCancelledError();
      // Marked first: a job whose removal is interrupted never looks like it has all its predictions.
      await this.pool.query('UPDATE jobs SET predictions_removed_at = now() WHERE id = $1', [jobId]);
      predictionsDeleted += await deleter.predictionsOfJob(jobId, ctx.signal, (n) => this.onDeleted(n));
      jobsPruned += 1;
      await ctx.report({ stage: 'pruning', jobsDone: jobsPruned, jobsTotal: jobs.length, predictionsDeleted });
    }
    if (ctx.signal.aborted) throw new JobCancelledError();
    return { result: { jobsPruned, predictionsDeleted } };
  }
}
