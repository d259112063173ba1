import Link from 'next/link';

/** What a job links to, whatever its kind: its page and its output. */
export interface JobLinkFacts {
  id: string;
  kind: string;
  state: string;
  modelId: number | null;
  evaluationId: number | null;
}

/**
 * Links to a job's output: training → the model it made; bulk classification → the model used
 * and, once completed, its predictions; evaluation → the model evaluated and its evaluation page.
 */
export function JobLinks({ job, details = true }: { job: JobLinkFacts; details?: boolean }) {
  const links: Array<{ href: string; label: string }> = [];
  if (details) links.push({ href: `/jobs/${job.id}`, label: 'details' });
  if (job.modelId != null)
    links.push({ href: `/models/${job.modelId}`, label: job.kind === 'TRAINING' ? `model v${job.modelId}` : `used model v${job.modelId}` });
  if (job.kind === 'CLASSIFICATION' && job.state === 'COMPLETED') links.push({ href: `/predictions?job=${job.id}`, label: 'predictions' });
  if (job.evaluationId != null) links.push({ href: `/evaluations/${job.evaluationId}`, label: 'evaluation' });
  return (
    <span className="job-links" data-testid={`job-links-${job.id}`}>
      {links.map((l) => (
        <Link key={l.href} href={l.href}>
          {l.label}
        </Link>
      ))}
    </span>
  );
}
