import Link from 'next/link';
import { ApiError, query } from '@/lib/graphql';

export const dynamic = 'force-dynamic';

interface OverviewData {
  feeds: { nodes: Array<{ id: number; name: string; kind: string; snapshotCount: number }> };
  snapshots: {
    nodes: Array<{
      id: number;
      takenAt: string;
      fileName: string;
      format: string;
      rowsAccepted: number;
      rowsRejected: number;
      rowsDuplicate: number;
      familyCount: number;
      feed: { name: string };
    }>;
  };
}

const OVERVIEW = `{
  feeds(first: 100) { nodes { id name kind snapshotCount } }
  snapshots(first: 50) { nodes { id takenAt fileName format rowsAccepted rowsRejected rowsDuplicate familyCount feed { name } } }
}`;

const number = new Intl.NumberFormat('en');

export default async function OverviewPage() {
  let data: OverviewData;
  try {
    data = await query<OverviewData>(OVERVIEW);
  } catch (err) {
    return (
      <section className="error" role="alert">
        <h2>The API did not answer</h2>
        <p>{err instanceof ApiError ? err.message : String(err)}</p>
      </section>
    );
  }
  return (
    <>
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
