import type { TadaDocumentNode } from 'gql.tada';
import { API_KEY, API_URL } from './env';
import { execute } from './graphql';

/** Runs a GraphQL query against the API (server side, never cached: the data changes with every ingestion). */
export function query<Result, Variables>(document: TadaDocumentNode<Result, Variables>, variables?: Variables): Promise<Result> {
  return execute(API_URL, document, variables, { ...(API_KEY ? { apiKey: API_KEY } : {}), cache: 'no-store' });
}
