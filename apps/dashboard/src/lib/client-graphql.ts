'use client';

import type { TadaDocumentNode } from 'gql.tada';
import { execute } from './graphql';

const KEY = 'dgascope.apiKey';

/** The admin API key lives in this tab's sessionStorage only. */
export const apiKey = {
  get: (): string => (typeof window === 'undefined' ? '' : (window.sessionStorage.getItem(KEY) ?? '')),
  set: (value: string) => window.sessionStorage.setItem(KEY, value),
  clear: () => window.sessionStorage.removeItem(KEY),
};

/** GraphQL from the browser through the dashboard's /api/graphql proxy; throws ApiError. */
export function gql<Result, Variables>(
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables,
  withKey = false,
): Promise<Result> {
  const key = withKey ? apiKey.get() : '';
  return execute('/api/graphql', document, variables, key ? { apiKey: key } : {});
}
