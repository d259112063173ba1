import { API_KEY, API_URL } from '@/lib/env';

/** The API's CSV export, next to its GraphQL endpoint (API_URL ends in /graphql). */
const CSV_URL = new URL('predictions.csv', API_URL);

/**
 * The predictions CSV export, passed through as it streams from the API (GET /predictions.csv),
 * read with the dashboard's own key like its server-rendered pages. A GET that only reads, so it
 * needs no cross-site check: the browser cannot read another origin's response.
 */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(CSV_URL);
  url.search = new URL(request.url).search;
  try {
    const res = await fetch(url, { headers: API_KEY ? { authorization: `Bearer ${API_KEY}` } : {}, cache: 'no-store' });
    const headers = new Headers({ 'content-type': res.headers.get('content-type') ?? 'text/plain', 'cache-control': 'no-store' });
    const disposition = res.headers.get('content-disposition');
    if (disposition) headers.set('content-disposition', disposition);
    return new Response(res.body, { status: res.status, headers });
  } catch (err) {
    return Response.json(
      {
        errors: [
          { message: `cannot reach the dgascope API at ${CSV_URL}: ${(err as Error).message}`, extensions: { code: 'UNREACHABLE' } },
        ],
      },
      { status: 502 },
    );
  }
}
