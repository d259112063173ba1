import { API_KEY, API_URL } from './env';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Runs a GraphQL query against the API (server side, never cached: the data changes with every ingestion). */
export async function query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(API_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(API_KEY ? { authorization: `Bearer ${API_KEY}` } : {}) },
      body: JSON.stringify({ query: document, variables }),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(`cannot reach the dgascope API at ${API_URL}: ${(err as Error).message}`, 'UNREACHABLE');
  }
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) throw new ApiError(body.errors[0]!.message, body.errors[0]!.extensions?.code);
  return body.data as T;
}
