import { API_KEY, API_URL } from '@/lib/env';

/**
 * Same-origin proxy to the GraphQL API for the browser's client components: the API key the
 * admin typed (kept in sessionStorage) travels in the Authorization header, never in a cookie.
 * Requests without one read with the dashboard's own key, as its server-rendered pages do.
 */
export async function POST(request: Request): Promise<Response> {
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
