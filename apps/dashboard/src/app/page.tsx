import Link from 'next/link';
import { ApiError, graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type OverviewData = ResultOf<typeof OVERVIEW>;

const OVERVIEW = graphql(`
  {
    models(first: 1, status: PROMOTED) {
      nodes {
        id
        createdAt
        labels
        backend
        metrics {
          accuracy
          macro {
            f1
          }
          micro {
            f1
          }
          zeroF1Families
          binary {
            auc
            tprAtFpr1e3
          }
        }
      }
    }
    active: jobs(first: 20, state: ACTIVE) {
      nodes {
        id
        kind
        state
        progress {
          fraction
          stage
        }
      }
    }
    queued: jobs(first: 20, state: QUEUED) {
      nodes {
        id
        kind
        state
        progress {
          fraction
          stage
        }
      }
    }
    feeds(first: 100) {
      nodes {
        id
        name
        kind
        snapshotCount
      }
    }
    snapshots(first: 50) {
      nodes {
        id
        takenAt
        fileName
        format
        rowsAccepted
        rowsRejected
        rowsDuplicate
        familyCount
        feed {
          name
        }
      }
    }
  }
`);

const number = new Intl.NumberFormat('en');

export default async function OverviewPage() {
  let data: OverviewData;
  try {
    data = await query(OVERVIEW);
  } catch (err) {
    return (
      <section className="error" role="alert">
        <h2>The API did not answer</h2>
        <p>{err instanceof ApiError ? err.message : String(err)}</p>
      </section>
    );
  }
  const promoted = data.models.nodes[0];
  const jobs = [...data.active.nodes, ...data.queued.nodes];
  return (
    <>
      <section aria-labelledby="model">
        <h2 id="model">Promoted model</h2>
        {promoted ? (
          <p data-testid="promoted-model">
            <Link href={`/models/${promoted.id}`}>v{promoted.id}</Link> · {promoted.labels.length} classes ·{' '}
            {promoted.backend ?? 'unknown backend'}
            {promoted.metrics
              ? ` · accuracy ${promoted.metrics.accuracy.toFixed(3)} · macro-F1 ${promoted.metrics.macro.f1.toFixed(3)} · micro-F1 ${promoted.metrics.micro.f1.toFixed(3)}${promoted.metrics.binary ? ` · AUC ${promoted.metrics.binary.auc.toFixed(4)}` : ''} · ${promoted.metrics.zeroF1Families} families at F1 = 0`
              : ''}
          </p>
        ) : (
          <p className="muted">No model is promoted yet (Admin → Retrain, then Promote).</p>
        )}
      </section>
      <section aria-labelledby="running">
        <h2 id="running">Running jobs</h2>
        {jobs.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul className="jobs">
            {jobs.map((j) => (
              <li key={j.id}>
                {j.kind.toLowerCase()} <span className="mono">{j.id.slice(0, 8)}</span> · {j.state.toLowerCase()}{' '}
                <progress max={1} value={j.progress?.fraction ?? 0} aria-label={`job ${j.id} progress`} />{' '}
                {Math.round(100 * (j.progress?.fraction ?? 0))}%
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link href="/admin">Admin: start, follow and cancel jobs →</Link>
        </p>
      </section>
      <section aria-labelledby="feeds">
        <h2 id="feeds">Feeds</h2>
        {data.feeds.nodes.length === 0 ? (
          <p className="muted">No feeds yet: ingest one with `dgascope ingest &lt;file&gt; --feed &lt;name&gt;`.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th className="num">Snapshots</th>
              </tr>
            </thead>
            <tbody>
              {data.feeds.nodes.map((f) => (
                <tr key={f.id}>
                  <td>{f.name}</td>
                  <td>{f.kind}</td>
                  <td className="num">{number.format(f.snapshotCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="snapshots">
        <h2 id="snapshots">Snapshots</h2>
        <table>
          <thead>
            <tr>
              <th className="num">Id</th>
              <th>Feed</th>
              <th>Taken</th>
              <th>File</th>
              <th>Format</th>
              <th className="num">Accepted</th>
              <th className="num">Rejected</th>
              <th className="num">Duplicate</th>
              <th className="num">Families</th>
            </tr>
          </thead>
          <tbody>
            {data.snapshots.nodes.map((s) => (
              <tr key={s.id}>
                <td className="num">
                  <Link href={`/snapshots/${s.id}`}>{s.id}</Link>
                </td>
                <td>{s.feed.name}</td>
                <td>{s.takenAt.slice(0, 10)}</td>
                <td>{s.fileName}</td>
                <td>{s.format}</td>
                <td className="num">{number.format(s.rowsAccepted)}</td>
                <td className="num">{number.format(s.rowsRejected)}</td>
                <td className="num">{number.format(s.rowsDuplicate)}</td>
                <td className="num">{number.format(s.familyCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
