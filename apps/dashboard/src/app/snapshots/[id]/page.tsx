import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '@/components/error-panel';
import { FamilyTable } from '@/components/family-table';
import { SkewChart } from '@/components/skew-chart';
import { formatDate, formatInt } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type SnapshotData = ResultOf<typeof SNAPSHOT>;

const SNAPSHOT = graphql(`
  query ($id: Int!, $after: String) {
    snapshot(id: $id) {
      id
      fileName
      format
      takenAt
      ingestedAt
      sha256
      rowsRead
      rowsAccepted
      rowsRejected
      rowsDuplicate
      feed {
        name
        kind
      }
      rejections(first: 50, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          line
          reason
          raw
        }
      }
    }
    skew(snapshotIds: [$id], top: 5) {
      total
      familyCount
      imbalanceRatio
      families {
        family
        count
        fraction
        rank
      }
    }
  }
`);

export default async function SnapshotPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ after?: string }>;
}) {
  const { id } = await params;
  const { after } = await searchParams;
  if (!/^\d+$/.test(id)) notFound();
  let data: SnapshotData;
  try {
    data = await query(SNAPSHOT, { id: Number(id), after: after ?? null });
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const { snapshot: s, skew } = data;
  return (
    <>
      <h1>
        Snapshot {s.id} <span className="muted">· {s.feed.name}</span>
      </h1>
      <section aria-labelledby="facts">
        <h2 id="facts">File</h2>
        <dl className="facts">
          <dt>File</dt>
          <dd>{s.fileName}</dd>
          <dt>Format</dt>
          <dd>{s.format}</dd>
          <dt>Taken</dt>
          <dd>{formatDate(s.takenAt)}</dd>
          <dt>Rows read</dt>
          <dd>{formatInt(s.rowsRead)}</dd>
          <dt>Accepted</dt>
          <dd>{formatInt(s.rowsAccepted)}</dd>
          <dt>Rejected</dt>
          <dd>{formatInt(s.rowsRejected)}</dd>
          <dt>Duplicate</dt>
          <dd>{formatInt(s.rowsDuplicate)}</dd>
          <dt>sha256</dt>
          <dd className="mono">{s.sha256}</dd>
        </dl>
      </section>
      <section aria-labelledby="skew">
        <h2 id="skew">
          Class skew{' '}
          <span className="muted">
            · {formatInt(skew.total)} domains in {formatInt(skew.familyCount)} families
            {skew.imbalanceRatio ? `, largest/smallest ${formatInt(Math.round(skew.imbalanceRatio))}:1` : ''}
          </span>
        </h2>
        <SkewChart families={skew.families} />
        <FamilyTable rows={skew.families} snapshotId={s.id} />
      </section>
      <section aria-labelledby="rejections">
        <h2 id="rejections">Rejected rows</h2>
        {s.rejections.nodes.length === 0 ? (
          <p className="muted">No row of this file was rejected.</p>
        ) : (
          <>
            <table data-testid="rejections">
              <thead>
                <tr>
                  <th className="num">Line</th>
                  <th>Reason</th>
                  <th>Row as read</th>
                </tr>
              </thead>
              <tbody>
                {s.rejections.nodes.map((r) => (
                  <tr key={r.line}>
                    <td className="num">{r.line}</td>
                    <td>{r.reason}</td>
                    <td className="mono wrap">{r.raw}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {s.rejections.pageInfo.hasNextPage ? (
              <Link href={`/snapshots/${s.id}?after=${encodeURIComponent(s.rejections.pageInfo.endCursor ?? '')}`}>Next rejections →</Link>
            ) : null}
          </>
        )}
      </section>
    </>
  );
}
