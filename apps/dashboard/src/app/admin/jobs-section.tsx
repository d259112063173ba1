import { JobLinks } from '@/components/job-links';
import { gql } from '@/lib/client-graphql';
import { formatDuration, formatTime } from '@/lib/duration';
import { formatInt } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import type { AdminAction, ADMIN_JOBS } from './admin-action';

export type JobRow = ResultOf<typeof ADMIN_JOBS>['jobs']['nodes'][number];

const CANCEL_JOB = graphql(`
  mutation CancelJob($id: String!) {
    cancelJob(id: $id) {
      id
    }
  }
`);

/** Whether a job may still change (its progress is polled only while one does). */
export const isRunning = (job: JobRow) => job.state === 'QUEUED' || job.state === 'ACTIVE';

function ProgressLine({ job }: { job: JobRow }) {
  const p = job.progress;
  const done = job.state === 'COMPLETED';
  const fraction = done ? 1 : (p?.fraction ?? 0);
  const parts: string[] = [];
  if (p?.epoch != null) parts.push(`epoch ${p.epoch}/${p.epochs}`);
  if (p?.loss != null) parts.push(`loss ${p.loss.toFixed(3)}`);
  if (p?.samplesPerSec != null) parts.push(`${formatInt(Math.round(p.samplesPerSec))} samples/s`);
  if (p?.processed != null) parts.push(`${formatInt(p.processed)}/${formatInt(p.total ?? 0)} domains`);
  if (p?.domainsPerSec != null) parts.push(`${formatInt(p.domainsPerSec)} domains/s`);
  if (p?.etaSeconds != null && !done) parts.push(`ETA ${Math.round(p.etaSeconds)} s`);
  return (
    <div className="progress-line">
      <progress
        max={1}
        value={fraction}
        aria-label={`job ${job.id} progress`}
        data-testid={`progress-${job.id}`}
        data-fraction={fraction}
      />
      <span className="muted">
        {Math.round(100 * fraction)}% {parts.join(' · ')}
      </span>
    </div>
  );
}

/** When it started and for how long, who asked for it. */
function JobFacts({ job }: { job: JobRow }) {
  const started = job.startedAt ? `started ${formatTime(job.startedAt)}` : `queued ${formatTime(job.createdAt)}, not started`;
  const c = job.classification;
  const duration = job.durationSeconds == null ? null : `${isRunning(job) ? 'running for' : 'took'} ${formatDuration(job.durationSeconds)}`;
  return (
    <div className="muted" data-testid={`facts-${job.id}`}>
      {[started, duration, job.requestedBy ? `by ${job.requestedBy}` : 'requester not recorded'].filter(Boolean).join(' · ')}
      {c ? (
        <span data-testid={`summary-${job.id}`}>
          {' '}
          — {formatInt(c.classified)} classified ({formatInt(c.dga)} DGA), {formatInt(c.invalid)} invalid
        </span>
      ) : null}
    </div>
  );
}

/** The latest jobs with their progress; a queued or running one can be cancelled. */
export function JobsSection({ jobs, admin }: { jobs: JobRow[]; admin: AdminAction }) {
  return (
    <section aria-labelledby="jobs">
      <h2 id="jobs">Jobs</h2>
      {jobs.length === 0 ? <p className="muted">No jobs yet.</p> : null}
      <ul className="jobs" data-testid="jobs">
        {jobs.map((j) => (
          <li key={j.id} data-job={j.id} data-state={j.state}>
            <div>
              <strong>{j.kind.toLowerCase()}</strong> <span className="mono">{j.id.slice(0, 8)}</span> ·{' '}
              <span data-testid={`state-${j.id}`}>{j.state.toLowerCase()}</span>
              {j.backend ? ` · ${j.backend}` : ''}
              <JobLinks job={j} />
              {isRunning(j) ? (
                <button type="button" onClick={() => admin('Cancellation requested.', () => gql(CANCEL_JOB, { id: j.id }, true), ['jobs'])}>
                  Cancel
                </button>
              ) : null}
            </div>
            <JobFacts job={j} />
            <ProgressLine job={j} />
            {j.error ? <p className="error-text">{j.error}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
