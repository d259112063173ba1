import { API_KEY, API_URL, DASHBOARD_ORIGINS } from '@/lib/env';

const refuse = (message: string) =>
  Response.json({ errors: [{ message, extensions: { code: 'FORBIDDEN', reason: 'CROSS_SITE_REQUEST' } }] }, { status: 403 });

/**
 * The API's CSRF rule, applied here too, since this proxy adds the dashboard's own key: a
 * browser sends a cross-site POST without a preflight only as text/plain, form-urlencoded or
 * multipart, so only application/json is forwarded; and an Origin (or Sec-Fetch-Site) that is
 * not this dashboard is refused outright.
 */
function crossSite(request: Request): string | null {
  const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') return 'the GraphQL proxy accepts only application/json requests';
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `a ${site} request to the GraphQL proxy is refused`;
  const origin = request.headers.get('origin');
  if (origin) {
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" (sandboxed frames, file://) and garbage are refused below.
    }
    if (originHost !== host && !DASHBOARD_ORIGINS.includes(origin)) return `origin ${origin.slice(0, 100)} is not this dashboard`;
  }
  return null;
}

/**
 * Same-origin proxy to the GraphQL API for the browser's client components: the API key the
 * admin typed (kept in sessionStorage) travels in the Authorization header, never in a cookie.
 * Requests without one read with the dashboard's own key, as its server-rendered pages do.
 */
export async function POST(request: Request): Promise<Response> {
  const refused = crossSite(request);
  if (refused) return refuse(refused);
  const authorization = request.headers.get('authorization') ?? (API_KEY ? `Bearer ${API_KEY}` : null);
  try {
    const res = await fetch(API_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: await request.text(),
      cache: 'no-store',
    });
    return new Response(await res.text(), { status: res.status, headers: { 'content-type': 'application/json' } });
  } catch (err) {
    return Response.json(
      {
        errors: [
          { message: `cannot reach the dgascope API at ${API_URL}: ${(err as Error).message}`, extensions: { code: 'UNREACHABLE' } },
        ],
      },
      { status: 502 },
    );
  }
}
