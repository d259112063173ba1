import { print } from '@0no-co/graphql.web';
import { initGraphQLTada, type ResultOf, type TadaDocumentNode, type VariablesOf } from 'gql.tada';
import type { introspection } from '../graphql-env.d.ts';

/**
 * Typed GraphQL documents, checked against the API's committed schema (apps/api/schema.graphql,
 * turned into src/graphql-env.d.ts by `gql.tada generate output` before every build and
 * typecheck): a field the API renames or drops fails the dashboard's build.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTimeISO: string; JSON: unknown; Upload: never };
}>();
export type { ResultOf, VariablesOf };

/** The one error of the dashboard's GraphQL calls: the API's first error, or why it could not be reached. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** `extensions.code` of the API's error (UNAUTHENTICATED, BAD_USER_INPUT, …), or UNREACHABLE. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One GraphQL request: the document's result, or an ApiError. */
export async function execute<Result, Variables>(
  url: string,
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables | undefined,
  options: { apiKey?: string; cache?: RequestCache } = {},
): Promise<Result> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      ...(options.cache ? { cache: options.cache } : {}),
    });
  } catch (err) {
    throw new ApiError(`cannot reach the dgascope API at ${url}: ${(err as Error).message}`, 'UNREACHABLE');
  }
  const body = (await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }))) as {
    data?: Result;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  if (body.errors?.length) throw new ApiError(body.errors[0]!.message, body.errors[0]!.extensions?.code);
  if (body.data === undefined) throw new ApiError(`HTTP ${res.status}: no data`, undefined);
  return body.data;
}

/** A line for the admin: what went wrong, with the API's code. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN' || err.code === 'UNAUTHORIZED')
      return `Not allowed: ${err.message}. Check the admin API key.`;
    return `${err.message}${err.code ? ` (${err.code})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
