import Link from 'next/link';
import { EvaluationsChart } from './evaluations-chart';
import { formatDate, formatInt, formatShare } from '@/lib/format';

export interface ModelEvaluationRow {
  id: number;
  snapshotId: number;
  snapshotTakenAt: string;
  domains: number;
  trainedOnDomains: number;
  freshDomains: number;
  unknownToModelDomains: number;
  macroF1: number | null;
  flaggedRate: number | null;
  benignFlaggedRate: number | null;
  snapshot: { feed: { name: string } };
  fresh: { macro: { f1: number } } | null;
  unknownFamilies: Array<{ family: string }>;
}

const f3 = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(3));
const share = (x: number | null) => (x == null ? 'n/a' : formatShare(x));

/** A model's evaluations on labelled snapshots, oldest snapshot first: the drift chart and its numbers. */
export function ModelEvaluations({ rows, testMacroF1 }: { rows: ModelEvaluationRow[]; testMacroF1: number | null }) {
  return (
    <section aria-labelledby="later-feeds">
      <h2 id="later-feeds">
        On later feeds <span className="muted">· {rows.length} evaluations, by snapshot date</span>
      </h2>
      {rows.length === 0 ? (
        <p className="muted">
          Not evaluated on any snapshot yet. The promoted model is evaluated on every new DGA snapshot as it is ingested; any model can be
          evaluated on any snapshot from <Link href="/admin#evaluate">Admin</Link>.
        </p>
      ) : (
        <>
          <EvaluationsChart
            testMacroF1={testMacroF1}
            points={rows.map((e) => ({
              label: `${formatDate(e.snapshotTakenAt)} #${e.snapshotId}`,
              macroF1: e.macroF1,
              flaggedRate: e.flaggedRate,
            }))}
          />
          <table data-testid="model-evaluations">
            <thead>
              <tr>
                <th>Snapshot</th>
                <th className="num">Listings</th>
                <th className="num">Macro-F1</th>
                <th className="num">Fresh macro-F1</th>
                <th className="num">DGA flagged</th>
                <th className="num">Benign flagged</th>
                <th>Families it does not know</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} data-snapshot={e.snapshotId}>
                  <td>
                    <Link href={`/evaluations/${e.id}`}>
                      #{e.snapshotId} {e.snapshot.feed.name} · {formatDate(e.snapshotTakenAt)}
                    </Link>
                  </td>
                  <td className="num">
                    {formatInt(e.domains)}{' '}
                    <span className="muted">
                      ({formatInt(e.trainedOnDomains)} trained on, {formatInt(e.freshDomains)} fresh)
                    </span>
                  </td>
                  <td className="num" data-macro-f1={e.macroF1 ?? ''}>
                    {f3(e.macroF1)}
                  </td>
                  <td className="num">{f3(e.fresh?.macro.f1)}</td>
                  <td className="num" data-flagged={e.flaggedRate ?? ''}>
                    {share(e.flaggedRate)}
                  </td>
                  <td className="num">{share(e.benignFlaggedRate)}</td>
                  <td>
                    {e.unknownFamilies.length} ({formatInt(e.unknownToModelDomains)} listings)
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
