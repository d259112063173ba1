import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ConfusionHeatmap } from '@/components/confusion-heatmap';
import { ErrorPanel } from '@/components/error-panel';
import { FamilyMetricsTable } from '@/components/family-metrics-table';
import { UnknownFamiliesTable } from '@/components/unknown-families-table';
import { formatDate, formatInt, formatShare } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

const EVALUATION = graphql(`
  query ($id: Int!) {
    evaluation(id: $id) {
      id
      modelId
      snapshotId
      snapshotTakenAt
      createdAt
      seconds
      domains
      trainedOnDomains
      freshDomains
      unknownToModelDomains
      invalidDomains
      macroF1
      flaggedRate
      benignFlaggedRate
      unknownFamilyRate
      snapshot {
        fileName
        feed {
          name
        }
      }
      detection {
        dgaDomains
        flagged
        benignDomains
        benignFlagged
      }
      overall {
        n
        accuracy
        macro {
          f1
        }
        micro {
          f1
        }
        zeroF1Families
        unknownFamily
        perFamily {
          family
          precision
          recall
          f1
          support
        }
        confusion {
          labels
          counts
        }
      }
      trainedOn {
        n
        accuracy
        macro {
          f1
        }
        micro {
          f1
        }
        zeroF1Families
        unknownFamily
      }
      fresh {
        n
        accuracy
        macro {
          f1
        }
        micro {
          f1
        }
        zeroF1Families
        unknownFamily
      }
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
    }
  }
`);

type Evaluation = ResultOf<typeof EVALUATION>['evaluation'];
type Split = NonNullable<Evaluation['trainedOn']>;
const f3 = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(3));

export default async function EvaluationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^\d+$/.test(id)) notFound();
  let e: Evaluation;
  try {
    e = (await query(EVALUATION, { id: Number(id) })).evaluation;
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const splits: Array<[string, string, Split | null, number]> = [
    ['all', 'Known families, all listings', e.overall, e.trainedOnDomains + e.freshDomains],
    ['trained-on', "Listed in the model's training snapshots", e.trainedOn, e.trainedOnDomains],
    ['fresh', 'Fresh (never trained on)', e.fresh, e.freshDomains],
  ];
  return (
    <>
      <h1>
        <Link href={`/models/${e.modelId}`}>Model v{e.modelId}</Link> on snapshot{' '}
        <Link href={`/snapshots/${e.snapshotId}`}>#{e.snapshotId}</Link>{' '}
        <span className="muted">
          · {e.snapshot.feed.name} · {formatDate(e.snapshotTakenAt)}
        </span>
      </h1>
      <section>
        <dl className="facts" data-testid="evaluation-facts">
          <dt>Listings</dt>
          <dd>
            {formatInt(e.domains)} ({formatInt(e.trainedOnDomains)} trained on, {formatInt(e.freshDomains)} fresh,{' '}
            {formatInt(e.unknownToModelDomains)} of families the model does not know
            {e.invalidDomains ? `; ${formatInt(e.invalidDomains)} invalid names skipped` : ''})
          </dd>
          <dt>DGA flagged</dt>
          <dd data-testid="flagged">
            {e.flaggedRate == null ? 'n/a' : formatShare(e.flaggedRate)} ({formatInt(e.detection.flagged)} of{' '}
            {formatInt(e.detection.dgaDomains)} DGA listings, every family)
          </dd>
          <dt>Benign flagged</dt>
          <dd>
            {e.benignFlaggedRate == null
              ? 'no benign listings'
              : `${formatShare(e.benignFlaggedRate)} (${formatInt(e.detection.benignFlagged)} of ${formatInt(e.detection.benignDomains)})`}
          </dd>
          <dt>Unknown family answered</dt>
          <dd>{e.unknownFamilyRate == null ? 'n/a' : formatShare(e.unknownFamilyRate)} of known-family DGA listings</dd>
          <dt>Evaluated</dt>
          <dd>
            {formatDate(e.createdAt)} in {e.seconds.toFixed(1)} s
          </dd>
        </dl>
      </section>
      <section aria-labelledby="splits">
        <h2 id="splits">Trained on vs fresh</h2>
        <table data-testid="evaluation-splits">
          <thead>
            <tr>
              <th>Listings</th>
              <th className="num">Domains</th>
              <th className="num">Macro-F1</th>
              <th className="num">Micro-F1</th>
              <th className="num">Families at F1 = 0</th>
              <th className="num">Unknown family</th>
            </tr>
          </thead>
          <tbody>
            {splits.map(([key, label, s, n]) => (
              <tr key={key} data-split={key}>
                <td>{label}</td>
                <td className="num">{formatInt(n)}</td>
                <td className="num" data-macro-f1={s?.macro.f1 ?? ''}>
                  {f3(s?.macro.f1)}
                </td>
                <td className="num">{f3(s?.micro.f1)}</td>
                <td className="num">{s ? s.zeroF1Families : 'n/a'}</td>
                <td className="num">{s ? formatInt(s.unknownFamily) : 'n/a'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="unknown">
        <h2 id="unknown">
          Families the model does not know <span className="muted">· {e.unknownFamilies.length}</span>
        </h2>
        <UnknownFamiliesTable rows={e.unknownFamilies} snapshotId={e.snapshotId} />
      </section>
      {e.overall ? (
        <>
          <section aria-labelledby="families">
            <h2 id="families">Per family (known families, all listings)</h2>
            <FamilyMetricsTable rows={e.overall.perFamily.filter((f) => f.support > 0)} />
          </section>
          <section aria-labelledby="confusion">
            <h2 id="confusion">Confusion matrix</h2>
            <ConfusionHeatmap labels={e.overall.confusion.labels} counts={e.overall.confusion.counts} />
          </section>
        </>
      ) : null}
    </>
  );
}
