import Link from 'next/link';
import { ClassifyBox } from '@/components/classify-box';
import { ErrorPanel } from '@/components/error-panel';
import { VerdictBadge, familyText } from '@/components/verdict';
import { formatDate } from '@/lib/format';
import { graphql, type ResultOf, type VariablesOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type Params = {
  domain?: string;
  family?: string;
  min?: string;
  max?: string;
  verdict?: string;
  job?: string;
  after?: string;
  before?: string;
};

const PAGE = 100;

const PREDICTIONS = graphql(`
  query ($filter: PredictionFilterInput, $after: String, $before: String) {
    predictions(first: 100, after: $after, before: $before, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
        hasPreviousPage
        startCursor
      }
      nodes {
        id
        domain
        verdict
        family
        probability
        nearestFamily
        dgaScore
        unknownFamily
        jobId
        modelId
        createdAt
        feedListing {
          family
          snapshotId
          feed
          takenAt
        }
      }
    }
  }
`);

export default async function PredictionsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const p = await searchParams;
  const filter: VariablesOf<typeof PREDICTIONS>['filter'] = {
    ...(p.domain ? { domain: p.domain } : {}),
    ...(p.family ? { family: p.family } : {}),
    ...(p.min ? { minProbability: Number(p.min) } : {}),
    ...(p.max ? { maxProbability: Number(p.max) } : {}),
    ...(p.verdict === 'benign' ? { verdict: 'BENIGN' } : {}),
    ...(p.verdict === 'dga' ? { verdict: 'DGA' } : {}),
    ...(p.verdict === 'known' ? { verdict: 'DGA', unknownFamily: false } : {}),
    ...(p.verdict === 'unknown' ? { unknownFamily: true } : {}),
    ...(p.job ? { jobId: p.job } : {}),
  };
  let page: ResultOf<typeof PREDICTIONS>['predictions'] | null = null;
  let error: unknown = null;
  try {
    page = (await query(PREDICTIONS, { filter, after: p.before ? null : (p.after ?? null), before: p.before ?? null })).predictions;
  } catch (err) {
    error = err;
  }
  const { after: _after, before: _before, ...kept } = p;
  const pageLink = (cursor: Partial<Record<'after' | 'before', string | null>>) =>
    `/predictions?${new URLSearchParams(Object.entries({ ...kept, ...cursor }).filter(([, v]) => v) as Array<[string, string]>).toString()}`;
  const csvHref = `/api/predictions.csv?${new URLSearchParams(Object.entries(filter ?? {}).map(([k, v]) => [k, String(v)])).toString()}`;
  return (
    <>
      <h1>Predictions</h1>
      <section aria-labelledby="now">
        <h2 id="now">Classify now (promoted model)</h2>
        <ClassifyBox />
      </section>
      <section aria-labelledby="stored">
        <h2 id="stored">Stored predictions of completed bulk jobs</h2>
        <p className="muted">
          &ldquo;Listed as&rdquo;: the family a DGA or labelled feed lists the domain under (its newest snapshot), in red where the answer
          differs.
        </p>
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
            Verdict
            <select name="verdict" defaultValue={p.verdict ?? ''}>
              <option value="">any</option>
              <option value="benign">benign</option>
              <option value="dga">DGA</option>
              <option value="known">DGA, known family</option>
              <option value="unknown">DGA, unknown family</option>
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
                <th>Verdict</th>
                <th>Family</th>
                <th className="num">Probability</th>
                <th className="num">DGA score</th>
                <th>Listed as</th>
                <th className="num">Model</th>
                <th>Date</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((r) => (
                <tr key={r.id}>
                  <td className="mono">{r.domain}</td>
                  <td>
                    <VerdictBadge verdict={r.verdict} unknownFamily={r.unknownFamily} />
                  </td>
                  <td>{familyText(r)}</td>
                  <td className="num">{r.probability.toFixed(3)}</td>
                  <td className="num">{r.dgaScore.toFixed(3)}</td>
                  <td data-testid="listed-as">
                    {r.feedListing ? (
                      <Link
                        href={`/snapshots/${r.feedListing.snapshotId}`}
                        title={`${r.feedListing.feed}, snapshot of ${formatDate(r.feedListing.takenAt)}`}
                        className={r.feedListing.family === r.family ? undefined : 'error-text'}
                      >
                        {r.feedListing.family}
                      </Link>
                    ) : (
                      <span className="muted">not in a DGA or labelled feed</span>
                    )}
                  </td>
                  <td className="num">
                    <Link href={`/models/${r.modelId}`}>v{r.modelId}</Link>
                  </td>
                  <td>{formatDate(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <nav className="pager" aria-label="pages of predictions">
          {page?.pageInfo.hasPreviousPage && page.pageInfo.startCursor ? (
            <Link href={pageLink({ before: page.pageInfo.startCursor })} rel="prev">
              ← Previous {PAGE}
            </Link>
          ) : null}
          {page?.pageInfo.hasNextPage && page.pageInfo.endCursor ? (
            <Link href={pageLink({ after: page.pageInfo.endCursor })} rel="next">
              Next {PAGE} →
            </Link>
          ) : null}
          {page && page.nodes.length > 0 ? (
            <a href={csvHref} download="predictions.csv" data-testid="csv-export">
              Export all matching as CSV
            </a>
          ) : null}
        </nav>
      </section>
    </>
  );
}
