import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '@/components/error-panel';
import { JobLinks } from '@/components/job-links';
import { formatDuration, formatTime } from '@/lib/duration';
import { formatInt, formatShare } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

const INVALID_PAGE = 100;

const JOB = graphql(`
  query ($id: String!, $after: String) {
    job(id: $id) {
      id
      kind
      state
      error
      backend
      attempts
      requestedBy
      createdAt
      startedAt
      finishedAt
      durationSeconds
      modelId
      evaluationId
      input
      classification {
        classified
        benign
        dga
        dgaKnownFamily
        unknownFamily
        invalid
        seconds
        perFamily {
          family
          count
        }
      }
      invalidNames(first: 100, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          line
          name
          reason
        }
      }
    }
  }
`);

type JobData = ResultOf<typeof JOB>['job'];

/** Where a bulk job's names came from, from its stored input. */
function sourceOf(job: JobData): string | null {
  const input = job.input as { snapshotId?: number | null; domains?: unknown[] | null } | null;
  if (input?.snapshotId != null) return `snapshot #${input.snapshotId}`;
  if (Array.isArray(input?.domains)) return `a list of ${formatInt(input.domains.length)} names`;
  return null;
}

function BulkResult({ job }: { job: JobData }) {
  const r = job.classification!;
  const all = r.classified + r.invalid;
  const share = (n: number) => (all ? formatShare(n / all) : '');
  const rows: Array<[string, number, string]> = [
    ['benign', r.benign, 'benign'],
    ['DGA, known family', r.dgaKnownFamily, 'known'],
    ['DGA, unknown family', r.unknownFamily, 'unknown'],
    ['invalid (not classified)', r.invalid, 'invalid'],
  ];
  return (
    <>
      <section aria-labelledby="verdicts">
        <h2 id="verdicts">
          Verdicts{' '}
          <span className="muted">
            · {formatInt(all)} names, classified in {formatDuration(r.seconds)}
          </span>
        </h2>
        <table data-testid="verdict-counts">
          <thead>
            <tr>
              <th>Verdict</th>
              <th className="num">Names</th>
              <th className="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, n, key]) => (
              <tr key={key} data-verdict={key}>
                <td>{key === 'invalid' ? label : <Link href={`/predictions?job=${job.id}&verdict=${key}`}>{label}</Link>}</td>
                <td className="num">{formatInt(n)}</td>
                <td className="num">{share(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="per-family">
        <h2 id="per-family">
          Per family <span className="muted">· {r.perFamily.length} answers, most frequent first</span>
        </h2>
        <table data-testid="family-counts">
          <thead>
            <tr>
              <th>Family</th>
              <th className="num">Names</th>
              <th className="num">Share of classified</th>
            </tr>
          </thead>
          <tbody>
            {r.perFamily.map((f) => (
              <tr key={f.family} data-family={f.family}>
                <td>
                  <Link href={`/predictions?job=${job.id}&family=${encodeURIComponent(f.family)}`}>{f.family}</Link>
                </td>
                <td className="num">{formatInt(f.count)}</td>
                <td className="num">{r.classified ? formatShare(f.count / r.classified) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function InvalidNames({ job, after }: { job: JobData; after: string | null }) {
  const page = job.invalidNames;
  const total = page.totalCount ?? 0;
  return (
    <section aria-labelledby="invalid">
      <h2 id="invalid">
        Invalid names <span className="muted">· {formatInt(total)}, not classified, in line order</span>
      </h2>
      {total === 0 ? (
        <p className="muted">Every name could be classified.</p>
      ) : (
        <>
          <p className="muted" data-testid="invalid-range">
            {after
              ? `Showing ${formatInt(page.nodes.length)} more of ${formatInt(total)}, from line ${page.nodes[0]?.line ?? ''}.`
              : `Showing the first ${formatInt(Math.min(total, INVALID_PAGE))} of ${formatInt(total)}.`}
          </p>
          <table data-testid="invalid-names">
            <thead>
              <tr>
                <th className="num">Line</th>
                <th>Name as given</th>
                <th>Why it was not classified</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((n) => (
                <tr key={n.line}>
                  <td className="num">{n.line}</td>
                  <td className="mono">{n.name}</td>
                  <td>{n.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager">
            {after ? <Link href={`/jobs/${job.id}`}>← First page</Link> : null}
            {page.pageInfo.hasNextPage && page.pageInfo.endCursor ? (
              <Link href={`/jobs/${job.id}?after=${encodeURIComponent(page.pageInfo.endCursor)}`}>Next {INVALID_PAGE} →</Link>
            ) : null}
          </nav>
        </>
      )}
    </section>
  );
}

export default async function JobPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ after?: string }>;
}) {
  const { id } = await params;
  const { after } = await searchParams;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  let job: JobData;
  try {
    job = (await query(JOB, { id, after: after ?? null })).job;
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const source = sourceOf(job);
  return (
    <>
      <h1>
        {job.kind === 'CLASSIFICATION' ? 'Bulk classification' : job.kind.toLowerCase()} <span className="mono">{job.id.slice(0, 8)}</span>{' '}
        <span className="muted">· {job.state.toLowerCase()}</span>
      </h1>
      <section>
        <dl className="facts" data-testid="job-facts">
          <dt>Requested by</dt>
          <dd data-testid="requested-by">{job.requestedBy ?? 'not recorded (started by dgascope, or before requesters were recorded)'}</dd>
          <dt>Queued</dt>
          <dd>{formatTime(job.createdAt)}</dd>
          <dt>Started</dt>
          <dd data-testid="started">{job.startedAt ? formatTime(job.startedAt) : 'not yet'}</dd>
          <dt>Finished</dt>
          <dd>{job.finishedAt ? formatTime(job.finishedAt) : '—'}</dd>
          <dt>Duration</dt>
          <dd data-testid="duration">{job.durationSeconds == null ? '—' : formatDuration(job.durationSeconds)}</dd>
          <dt>Attempts</dt>
          <dd>{job.attempts}</dd>
          {job.backend ? (
            <>
              <dt>Backend</dt>
              <dd>{job.backend}</dd>
            </>
          ) : null}
          {source ? (
            <>
              <dt>Names from</dt>
              <dd>{source}</dd>
            </>
          ) : null}
          <dt>Output</dt>
          <dd>
            <JobLinks job={job} details={false} />
          </dd>
        </dl>
        {job.error ? <p className="error-text">{job.error}</p> : null}
      </section>
      {job.classification ? <BulkResult job={job} /> : null}
      {job.kind === 'CLASSIFICATION' ? <InvalidNames job={job} after={after ?? null} /> : null}
    </>
  );
}
