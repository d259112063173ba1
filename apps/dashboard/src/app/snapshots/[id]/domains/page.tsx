import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '@/components/error-panel';
import { formatInt } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type DomainsData = ResultOf<typeof DOMAINS>;

const DOMAINS = graphql(`
  query ($id: Int!, $family: String, $after: String) {
    snapshotDomains(snapshotId: $id, family: $family, first: 100, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        domain
        family
        line
        rank
        listedOn
        description
      }
    }
  }
`);

export default async function SnapshotDomainsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ family?: string; after?: string }>;
}) {
  const { id } = await params;
  const { family, after } = await searchParams;
  if (!/^\d+$/.test(id)) notFound();
  let data: DomainsData;
  try {
    data = await query(DOMAINS, { id: Number(id), family: family ?? null, after: after ?? null });
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const page = data.snapshotDomains;
  const next = new URLSearchParams({ ...(family ? { family } : {}), after: page.pageInfo.endCursor ?? '' });
  return (
    <>
      <h1>
        {family ?? 'All families'}{' '}
        <span className="muted">
          · snapshot {id} · {formatInt(page.totalCount ?? 0)} domains
        </span>
      </h1>
      <p>
        <Link href={`/snapshots/${id}`}>← snapshot {id}</Link>
      </p>
      <section>
        {page.nodes.length === 0 ? (
          <p className="muted">No domains.</p>
        ) : (
          <table data-testid="domains">
            <thead>
              <tr>
                <th>Domain</th>
                <th>Family</th>
                <th className="num">Line</th>
                <th className="num">Rank</th>
                <th>Listed on</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((d) => (
                <tr key={`${d.family}/${d.domain}`}>
                  <td className="mono">{d.domain}</td>
                  <td>{d.family}</td>
                  <td className="num">{d.line}</td>
                  <td className="num">{d.rank ?? ''}</td>
                  <td>{d.listedOn ?? ''}</td>
                  <td>{d.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.pageInfo.hasNextPage ? <Link href={`/snapshots/${id}/domains?${next.toString()}`}>Next 100 →</Link> : null}
      </section>
    </>
  );
}
