'use client';

export interface GqlError {
  message: string;
  code?: string;
}

const KEY = 'dgascope.apiKey';

/** The admin API key lives in this tab's sessionStorage only. */
export const apiKey = {
  get: (): string => (typeof window === 'undefined' ? '' : (window.sessionStorage.getItem(KEY) ?? '')),
  set: (value: string) => window.sessionStorage.setItem(KEY, value),
  clear: () => window.sessionStorage.removeItem(KEY),
};

/** GraphQL from the browser through the dashboard's /api/graphql proxy; throws GqlError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, withKey = false): Promise<T> {
  const key = withKey ? apiKey.get() : '';
  const res = await fetch('/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }))) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  if (body.errors?.length) throw { message: body.errors[0]!.message, code: body.errors[0]!.extensions?.code } satisfies GqlError;
  return body.data as T;
}

export function describeError(err: unknown): string {
  const e = err as GqlError;
  if (e?.code === 'UNAUTHENTICATED' || e?.code === 'FORBIDDEN' || e?.code === 'UNAUTHORIZED')
    return `Not allowed: ${e.message}. Check the admin API key.`;
  return e?.message ? `${e.message}${e.code ? ` (${e.code})` : ''}` : String(err);
}
