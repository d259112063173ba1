import { timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Loaders } from './loaders';

export type Role = 'ADMIN';

export interface Actor {
  name: string;
  role: Role;
}

export interface Context {
  /** Who is calling; null for anonymous requests. */
  actor: Actor | null;
  /** Whether queries need an actor too (REQUIRE_AUTH). Mutations always do. */
  requireAuth: boolean;
  loaders: Loaders;
}

export interface AuthSettings {
  adminApiKey: string | undefined;
  requireAuth: boolean;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Resolves the caller from `Authorization: Bearer <key>`. A presented key that is wrong is
 * an error for the whole request: a client that believes it is authenticated must learn otherwise.
 */
export function actorFromHeader(header: string | undefined, auth: AuthSettings): Actor | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('INVALID_AUTHORIZATION_HEADER', 'the Authorization header must be "Bearer <api key>"');
  if (auth.adminApiKey && sameSecret(match[1]!, auth.adminApiKey)) return { name: 'admin (ADMIN_API_KEY)', role: 'ADMIN' };
  throw unauthenticated('INVALID_API_KEY', 'invalid API key');
}

function unauthenticated(reason: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', reason, http: { status: 401 } } });
}
