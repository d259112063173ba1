import Link from 'next/link';
import { ErrorPanel } from '@/components/error-panel';
import { PickSelect } from '@/components/pick-select';
import { formatDate, formatInt, formatShare } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type SnapshotOption = ResultOf<typeof OPTIONS>['snapshots']['nodes'][number];
type UnseenData = ResultOf<typeof UNSEEN>;
type Share = UnseenData['unseenFamilies']['appeared'][number];

const OPTIONS = graphql(`
  {
    snapshots(first: 200) {
      nodes {
        id
        takenAt
        fileName
        feed {
          name
        }
      }
    }
  }
`);
const UNSEEN = graphql(`
  query ($a: Int!, $b: Int!) {
    unseenFamilies(a: $a, b: $b) {
      totalA
      totalB
      appearedFraction
      disappearedFraction
      appeared {
        family
        count
        fraction
      }
      disappeared {
        family
        count
        fraction
      }
    }
  }
`);

function ShareSection({
  id,
  title,
  rows,
  fraction,
  of,
  snapshotId,
}: {
  id: string;
  title: string;
  rows: Share[];
  fraction: number;
  of: string;
  snapshotId: number;
}) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title}{' '}
        <span className="muted">
          · {rows.length} families, {formatShare(fraction)} of {of}
        </span>
      </h2>
      <ShareTable rows={rows} snapshotId={snapshotId} testId={id} />
    </section>
  );
}

function ShareTable({ rows, snapshotId, testId }: { rows: Share[]; snapshotId: number; testId: string }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>Family</th>
          <th className="num">Domains</th>
          <th className="num">Share</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.family} data-family={r.family}>
            <td>
              <Link href={`/snapshots/${snapshotId}/domains?family=${encodeURIComponent(r.family)}`}>{r.family}</Link>
            </td>
            <td className="num" data-count={r.count}>
              {formatInt(r.count)}
            </td>
            <td className="num">{formatShare(r.fraction)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function UnseenPage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const params = await searchParams;
  let snapshots: SnapshotOption[];
  try {
    snapshots = (await query(OPTIONS)).snapshots.nodes;
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  if (snapshots.length < 2) return <p className="muted">Ingest at least two snapshots to compare them.</p>;
  // Default: the two most recent snapshots, older one as A.
  const a = Number(params.a ?? snapshots[1]!.id);
  const b = Number(params.b ?? snapshots[0]!.id);
  let data: UnseenData | null = null;
  let error: unknown = null;
  try {
    data = await query(UNSEEN, { a, b });
  } catch (err) {
    error = err;
  }
  const options = snapshots.map((s) => ({ value: s.id, label: `#${s.id} ${s.feed.name} · ${formatDate(s.takenAt)} · ${s.fileName}` }));
  return (
    <>
      <h1>Unseen families</h1>
      <form className="pick" method="get">
        <PickSelect label="Snapshot A (e.g. what a model was trained on)" name="a" defaultValue={a} options={options} />
        <PickSelect label="Snapshot B (e.g. a later feed)" name="b" defaultValue={b} options={options} />
        <button type="submit">Compare</button>
      </form>
      {error ? <ErrorPanel error={error} /> : null}
      {data ? (
        <>
          <ShareSection
            id="appeared"
            title="In B, absent from A"
            rows={data.unseenFamilies.appeared}
            fraction={data.unseenFamilies.appearedFraction}
            of={`B's ${formatInt(data.unseenFamilies.totalB)} domains`}
            snapshotId={b}
          />
          <ShareSection
            id="disappeared"
            title="In A, absent from B"
            rows={data.unseenFamilies.disappeared}
            fraction={data.unseenFamilies.disappearedFraction}
            of={`A's ${formatInt(data.unseenFamilies.totalA)} domains`}
            snapshotId={a}
          />
        </>
      ) : null}
    </>
  );
}
