import { ErrorPanel } from '@/components/error-panel';
import { query } from '@/lib/graphql';

export const dynamic = 'force-dynamic';

interface CompareData {
  compareModels: {
    macroF1Delta: number | null;
    microF1Delta: number | null;
    accuracyDelta: number | null;
    aucDelta: number | null;
    families: Array<{
      family: string;
      f1A: number | null;
      f1B: number | null;
      f1Delta: number | null;
      precisionDelta: number | null;
      recallDelta: number | null;
      supportA: number | null;
      supportB: number | null;
    }>;
  };
}

const COMPARE = `query($a: Int!, $b: Int!) { compareModels(a: $a, b: $b) { macroF1Delta microF1Delta accuracyDelta aucDelta families { family f1A f1B f1Delta precisionDelta recallDelta supportA supportB } } }`;
const d = (x: number | null) => (x == null ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(3)}`);
const v = (x: number | null) => (x == null ? '–' : x.toFixed(3));

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ a?: string; b?: string }> }) {
  const { a, b } = await searchParams;
  let data: CompareData;
  try {
    data = await query<CompareData>(COMPARE, { a: Number(a), b: Number(b) });
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const c = data.compareModels;
  return (
    <>
      <h1>
        Model v{b} against v{a}
      </h1>
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
