import type { ApiKeyRole } from '@prisma/client';
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import type { Actor, ApiKeysService } from '../modules/access/api-keys.service';
import type { Loaders } from './loaders';

export type Role = ApiKeyRole;
export type { Actor };

export interface Context {
  /** Who is calling; null for anonymous requests. */
  actor: Actor | null;
  /** Whether queries need an actor too (REQUIRE_AUTH). Mutations always need an admin. */
  requireAuth: boolean;
  loaders: Loaders;
  /** Aborted when the request is over for its caller (answered, timed out, or the client went away). */
  signal?: AbortSignal;
}

/**
 * Resolves the caller from `Authorization: Bearer <key>`. A presented key that is wrong or
 * revoked is an error for the whole request: a client that believes it is authenticated must
 * learn otherwise.
 */
export async function actorFromHeader(header: string | undefined, keys: ApiKeysService): Promise<Actor | null> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('INVALID_AUTHORIZATION_HEADER', 'the Authorization header must be "Bearer <api key>"');
  const result = await keys.authenticate(match[1]!).catch((err: unknown) => {
    // Apollo would answer "Context creation failed: <the driver's message>" (host and port included).
    if (isDatabaseUnavailable(err))
      throw new GraphQLError('the database is unavailable; try again shortly', {
        extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE', http: { status: 503 } },
      });
    throw err;
  });
  if ('failure' in result) throw unauthenticated(result.failure, result.message);
  return result.actor;
}

function unauthenticated(reason: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', reason, http: { status: 401 } } });
}
