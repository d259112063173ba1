import Link from 'next/link';
import { ClassifyBox } from '@/components/classify-box';
import { ErrorPanel } from '@/components/error-panel';
import { formatDate } from '@/lib/format';
import { query } from '@/lib/graphql';

export const dynamic = 'force-dynamic';

interface Row {
  id: string;
  domain: string;
  family: string;
  probability: number;
  dgaScore: number;
  uncertain: boolean;
  jobId: string;
  modelId: number;
  createdAt: string;
}
type Params = { domain?: string; family?: string; min?: string; max?: string; uncertain?: string; job?: string; after?: string };

const PREDICTIONS = `query($filter: PredictionFilterInput, $after: String) { predictions(first: 100, after: $after, filter: $filter) {
  pageInfo { hasNextPage endCursor } nodes { id domain family probability dgaScore uncertain jobId modelId createdAt } } }`;

export default async function PredictionsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const p = await searchParams;
  const filter = {
    ...(p.domain ? { domain: p.domain } : {}),
    ...(p.family ? { family: p.family } : {}),
    ...(p.min ? { minProbability: Number(p.min) } : {}),
    ...(p.max ? { maxProbability: Number(p.max) } : {}),
    ...(p.uncertain === 'yes' ? { uncertain: true } : p.uncertain === 'no' ? { uncertain: false } : {}),
    ...(p.job ? { jobId: p.job } : {}),
  };
  type Page = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Row[] };
  let page: Page | null = null;
  let error: unknown = null;
  try {
    page = (await query<{ predictions: Page }>(PREDICTIONS, { filter, after: p.after ?? null })).predictions;
  } catch (err) {
    error = err;
  }
  const next = new URLSearchParams(
    Object.entries({ ...p, after: page?.pageInfo.endCursor ?? '' }).filter(([, v]) => v) as Array<[string, string]>,
  );
  return (
    <>
      <h1>Predictions</h1>
      <section aria-labelledby="now">
        <h2 id="now">Classify now (promoted model)</h2>
        <ClassifyBox />
      </section>
      <section aria-labelledby="stored">
        <h2 id="stored">Stored predictions of completed bulk jobs</h2>
        <form className="pick" method="get">
          <label>
            Domain
            <input name="domain" defaultValue={p.domain ?? ''} />
          </label>
          <label>
            Family
            <input name="family" defaultValue={p.family ?? ''} />
          </label>
          <label>
            Min probability
            <input name="min" type="number" min="0" max="1" step="0.01" defaultValue={p.min ?? ''} />
          </label>
          <label>
            Max probability
            <input name="max" type="number" min="0" max="1" step="0.01" defaultValue={p.max ?? ''} />
          </label>
          <label>
            Uncertain
            <select name="uncertain" defaultValue={p.uncertain ?? ''}>
              <option value="">any</option>
              <option value="yes">yes</option>
              <option value="no">no</option>
            </select>
          </label>
          <label>
            Job id
            <input name="job" defaultValue={p.job ?? ''} />
          </label>
          <button type="submit">Search</button>
        </form>
        {error ? <ErrorPanel error={error} /> : null}
        {page && page.nodes.length === 0 ? <p className="muted">No predictions match.</p> : null}
        {page && page.nodes.length > 0 ? (
          <table data-testid="predictions">
            <thead>
              <tr>
                <th>Domain</th>
                <th>Family</th>
                <th className="num">Probability</th>
                <th className="num">DGA score</th>
                <th>Uncertain</th>
                <th className="num">Model</th>
                <th>Date</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((r) => (
                <tr key={r.id}>
                  <td className="mono">{r.domain}</td>
                  <td>{r.family}</td>
                  <td className="num">{r.probability.toFixed(3)}</td>
                  <td className="num">{r.dgaScore.toFixed(3)}</td>
                  <td>{r.uncertain ? 'yes' : ''}</td>
                  <td className="num">
                    <Link href={`/models/${r.modelId}`}>v{r.modelId}</Link>
                  </td>
                  <td>{formatDate(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {page?.pageInfo.hasNextPage ? <Link href={`/predictions?${next.toString()}`}>Next 100 →</Link> : null}
      </section>
    </>
  );
}
