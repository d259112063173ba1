import { decisionSummary } from '@/components/decision-facts';
import { ErrorPanel } from '@/components/error-panel';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

const COMPARE = graphql(`
  query ($a: Int!, $b: Int!) {
    compareModels(a: $a, b: $b) {
      a {
        preset
        loss
        decision {
          dgaThreshold
          targetBenignFpr
          calibrationBenign
          dgaThresholdMethod
          dgaScorePrior
          noveltyMethod
          noveltyThreshold
          targetRejectRate
        }
        metrics {
          benignFlaggedRate
          unknownFamilyRate
        }
      }
      b {
        preset
        loss
        decision {
          dgaThreshold
          targetBenignFpr
          calibrationBenign
          dgaThresholdMethod
          dgaScorePrior
          noveltyMethod
          noveltyThreshold
          targetRejectRate
        }
        metrics {
          benignFlaggedRate
          unknownFamilyRate
        }
      }
      macroF1Delta
      microF1Delta
      accuracyDelta
      aucDelta
      families {
        family
        f1A
        f1B
        f1Delta
        precisionDelta
        recallDelta
        supportA
        supportB
      }
    }
  }
`);
type CompareData = ResultOf<typeof COMPARE>;
const d = (x: number | null) => (x == null ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(3)}`);
const v = (x: number | null) => (x == null ? '–' : x.toFixed(3));
const pct = (x: number | null | undefined) => (x == null ? '–' : `${(100 * x).toFixed(2)}%`);

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const { a, b } = await searchParams;
  let data: CompareData;
  try {
    data = await query(COMPARE, { a: Number(a), b: Number(b) });
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const c = data.compareModels;
  return (
    <>
      <h1>
        Model v{b} against v{a}
      </h1>
      <section aria-labelledby="recipes">
        <h2 id="recipes">Recipe and verdict rule</h2>
        <table data-testid="compare-recipes">
          <thead>
            <tr>
              <th>Model</th>
              <th>Preset</th>
              <th>Loss</th>
              <th>Thresholds</th>
              <th className="num">Benign flagged</th>
              <th className="num">Unknown family</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                [a, c.a],
                [b, c.b],
              ] as const
            ).map(([id, m]) => (
              <tr key={`${id}`}>
                <td>v{id}</td>
                <td>{m.preset ?? 'none'}</td>
                <td>{m.loss}</td>
                <td>{decisionSummary(m.decision)}</td>
                <td className="num">{pct(m.metrics?.benignFlaggedRate)}</td>
                <td className="num">{pct(m.metrics?.unknownFamilyRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <p>
          Macro-F1 {d(c.macroF1Delta)}, micro-F1 {d(c.microF1Delta)}, accuracy {d(c.accuracyDelta)}, AUC {d(c.aucDelta)}
        </p>
        <table data-testid="compare">
          <thead>
            <tr>
              <th>Family</th>
              <th className="num">F1 v{a}</th>
              <th className="num">F1 v{b}</th>
              <th className="num">Δ F1</th>
              <th className="num">Δ precision</th>
              <th className="num">Δ recall</th>
            </tr>
          </thead>
          <tbody>
            {c.families.map((f) => (
              <tr key={f.family} className={f.f1Delta != null && f.f1Delta < 0 ? 'tail' : f.f1Delta != null && f.f1Delta > 0 ? 'head' : ''}>
                <td>{f.family}</td>
                <td className="num">{v(f.f1A)}</td>
                <td className="num">{v(f.f1B)}</td>
                <td className="num">{d(f.f1Delta)}</td>
                <td className="num">{d(f.precisionDelta)}</td>
                <td className="num">{d(f.recallDelta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
