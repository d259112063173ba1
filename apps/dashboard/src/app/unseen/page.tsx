import Link from 'next/link';
import { ErrorPanel } from '@/components/error-panel';
import { PickSelect } from '@/components/pick-select';
import { AssignedTo } from '@/components/unknown-families-table';
import { formatDate, formatInt, formatShare } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type SnapshotOption = ResultOf<typeof OPTIONS>['snapshots']['nodes'][number];
type UnseenData = ResultOf<typeof UNSEEN>;
type Share = UnseenData['unseenFamilies']['appeared'][number];
type ModelView = NonNullable<UnseenData['evaluations'][number]>;

const OPTIONS = graphql(`
  {
    snapshots(first: 200) {
      nodes {
        id
        takenAt
        fileName
        feed {
          name
          kind
        }
      }
    }
    models(first: 1, status: PROMOTED) {
      nodes {
        id
        snapshotIds
      }
    }
  }
`);
const UNSEEN = graphql(`
  query ($a: Int!, $b: Int!, $model: Int) {
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
    evaluations(modelId: $model, snapshotId: $b) {
      id
      modelId
      createdAt
      unknownFamilies {
        family
        domains
        flaggedRate
        unknownFamilyRate
        assignedTo {
          family
          share
          examples
        }
      }
      overall {
        perFamily {
          family
          f1
          support
        }
      }
    }
  }
`);

/**
 * The pair to compare when none is asked for: the two most recent snapshots of the feed with the
 * newest DGA (or labelled) snapshot, else the two most recent DGA snapshots. Never a top list against
 * a DGA feed: every family would have "appeared".
 */
function defaultPair(snapshots: SnapshotOption[]): { a: number; b: number; why: string } | null {
  const labelled = snapshots.filter((s) => s.feed.kind !== 'BENIGN'); // newest first
  const newest = labelled[0];
  if (!newest || labelled.length < 2) return null;
  const sameFeed = labelled.filter((s) => s.feed.name === newest.feed.name);
  if (sameFeed.length >= 2)
    return { a: sameFeed[1]!.id, b: sameFeed[0]!.id, why: `the two most recent snapshots of feed ${newest.feed.name}` };
  return { a: labelled[1]!.id, b: labelled[0]!.id, why: 'the two most recent DGA snapshots' };
}

/** The promoted model's view of one family that appeared, from its evaluation on snapshot B. */
function ViewCell({ family, view }: { family: string; view: ModelView | null }) {
  if (!view) return <td className="view-pending">not evaluated yet</td>;
  const unknown = view.unknownFamilies.find((f) => f.family === family);
  if (unknown)
    return (
      <>
        <td className="num" data-flagged={unknown.flaggedRate}>
          {formatShare(unknown.flaggedRate)}
        </td>
        <td className="num" data-unknown={unknown.unknownFamilyRate}>
          {formatShare(unknown.unknownFamilyRate)}
        </td>
        <td>
          <AssignedTo view={unknown} />
        </td>
      </>
    );
  const known = view.overall?.perFamily.find((f) => f.family === family && f.support > 0);
  return (
    <td colSpan={3} data-known>
      known to the model{known ? ` (trained on it elsewhere): F1 ${known.f1.toFixed(3)} here` : ' (merged into another class)'}
    </td>
  );
}

function ShareTable({
  rows,
  snapshotId,
  testId,
  view,
}: {
  rows: Share[];
  snapshotId: number;
  testId: string;
  /** The promoted model's evaluation on this snapshot: undefined = no such column (disappeared families). */
  view?: ModelView | null;
}) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>Family</th>
          <th className="num">Domains</th>
          <th className="num">Share</th>
          {view !== undefined ? (
            <>
              <th className="num">Flagged as DGA</th>
              <th className="num">Unknown family</th>
              <th>Answered as (share, sample domains)</th>
            </>
          ) : null}
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
            {view !== undefined ? <ViewCell family={r.family} view={view} /> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The promoted model's view of the appeared families together: how many of their domains it flags, and as what. */
function ViewSummary({ appeared, view, modelId, b }: { appeared: Share[]; view: ModelView | null; modelId: number | null; b: number }) {
  if (modelId == null) return <p className="muted">No model is promoted: there is no model&rsquo;s view to show.</p>;
  if (!view)
    return (
      <p className="muted" data-testid="model-view">
        The promoted model v{modelId} has not been evaluated on snapshot #{b} yet. New DGA snapshots are evaluated by themselves as they are
        ingested (reload in a moment); any pair can be evaluated from <Link href="/admin#evaluate">Admin</Link>.
      </p>
    );
  const unseen = view.unknownFamilies.filter((f) => appeared.some((a) => a.family === f.family));
  const n = unseen.reduce((s, f) => s + f.domains, 0);
  const flagged = unseen.reduce((s, f) => s + f.flaggedRate * f.domains, 0);
  const unknown = unseen.reduce((s, f) => s + f.unknownFamilyRate * f.domains, 0);
  return (
    <p data-testid="model-view">
      The promoted model v{modelId}&rsquo;s view, from <Link href={`/evaluations/${view.id}`}>its evaluation on #{b}</Link> (
      {formatDate(view.createdAt)}):{' '}
      {n === 0
        ? 'it knows every family that appeared.'
        : `of the ${formatInt(n)} domains of families it does not know, it flags ${formatShare(flagged / n)} as DGA and answers ${formatShare(unknown / n)} "unknown family".`}
    </p>
  );
}

export default async function UnseenPage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const params = await searchParams;
  let options: ResultOf<typeof OPTIONS>;
  try {
    options = await query(OPTIONS);
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const snapshots = options.snapshots.nodes;
  const promoted = options.models.nodes[0] ?? null;
  const fallback = defaultPair(snapshots);
  if (!fallback && (params.a == null || params.b == null))
    return (
      <>
        <h1>Unseen families</h1>
        <p className="muted">Ingest at least two DGA snapshots (an earlier and a later feed) to see which families appeared.</p>
      </>
    );
  const a = Number(params.a ?? fallback!.a);
  const b = Number(params.b ?? fallback!.b);
  let data: UnseenData | null = null;
  let error: unknown = null;
  try {
    data = await query(UNSEEN, { a, b, model: promoted?.id ?? null });
  } catch (err) {
    error = err;
  }
  const view = promoted ? (data?.evaluations.find((e) => e.modelId === promoted.id) ?? null) : null;
  const pickOptions = snapshots.map((s) => ({
    value: s.id,
    label: `#${s.id} ${s.feed.name} (${s.feed.kind.toLowerCase()}) · ${formatDate(s.takenAt)} · ${s.fileName}`,
  }));
  const trainWith = promoted ? [...new Set([...promoted.snapshotIds, b])].sort((x, y) => x - y) : [b];
  const trainHref = `/admin?train=${trainWith.join(',')}${promoted ? `&warmStart=${promoted.id}` : ''}#train`;
  return (
    <>
      <h1>Unseen families</h1>
      <form className="pick" method="get">
        <PickSelect label="Snapshot A (e.g. what a model was trained on)" name="a" defaultValue={a} options={pickOptions} />
        <PickSelect label="Snapshot B (e.g. a later feed)" name="b" defaultValue={b} options={pickOptions} />
        <button type="submit">Compare</button>
      </form>
      {params.a == null && params.b == null && fallback ? (
        <p className="muted" data-testid="default-pair">
          Showing {fallback.why}: #{a} and #{b}.
        </p>
      ) : null}
      {error ? <ErrorPanel error={error} /> : null}
      {data ? (
        <>
          <section aria-labelledby="appeared">
            <h2 id="appeared">
              In B, absent from A{' '}
              <span className="muted">
                · {data.unseenFamilies.appeared.length} families, {formatShare(data.unseenFamilies.appearedFraction)} of B&rsquo;s{' '}
                {formatInt(data.unseenFamilies.totalB)} domains
              </span>
            </h2>
            <ViewSummary appeared={data.unseenFamilies.appeared} view={view} modelId={promoted?.id ?? null} b={b} />
            <ShareTable rows={data.unseenFamilies.appeared} snapshotId={b} testId="appeared" view={promoted ? view : undefined} />
            {data.unseenFamilies.appeared.length > 0 ? (
              <p>
                <Link href={trainHref} className="button" data-testid="train-with-these">
                  Train with these families
                </Link>{' '}
                <span className="muted">
                  opens the training form with snapshots {trainWith.map((id) => `#${id}`).join(', ')}
                  {promoted ? ` and a warm start from the promoted v${promoted.id}` : ''}.
                </span>
              </p>
            ) : null}
          </section>
          <section aria-labelledby="disappeared">
            <h2 id="disappeared">
              In A, absent from B{' '}
              <span className="muted">
                · {data.unseenFamilies.disappeared.length} families, {formatShare(data.unseenFamilies.disappearedFraction)} of A&rsquo;s{' '}
                {formatInt(data.unseenFamilies.totalA)} domains
              </span>
            </h2>
            <ShareTable rows={data.unseenFamilies.disappeared} snapshotId={a} testId="disappeared" />
          </section>
        </>
      ) : null}
    </>
  );
}
