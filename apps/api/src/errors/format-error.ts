import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from './app-error';
import { isDatabaseUnavailable, isStatementTimeout } from './database-unavailable';

const MAX_MESSAGE = 500;

/** Messages that quote the offending input (a 2 MB string, say) are cut, not echoed whole. */
function cut(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.message.length <= MAX_MESSAGE) return formatted;
  return {
    ...formatted,
    message: `${formatted.message.slice(0, MAX_MESSAGE)}… (${formatted.message.length - MAX_MESSAGE} more characters cut)`,
  };
}

/** Maps AppError to a GraphQL error code; hides unexpected errors behind a generic message. Long messages are cut. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return cut(mapError(formatted, error));
}

function mapError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  let cause = unwrapResolverError(error);
  // Apollo wraps errors thrown outside resolvers (context creation) in a GraphQLError that
  // repeats their message; judge them by what they wrap.
  if (
    cause instanceof GraphQLError &&
    cause.originalError &&
    !(cause.originalError instanceof GraphQLError) &&
    (formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR') === 'INTERNAL_SERVER_ERROR'
  )
    cause = cause.originalError;
  if (cause instanceof AppError) {
    return { ...formatted, message: cause.message, extensions: { code: cause.category, reason: cause.reason } };
  }
  if (cause instanceof GraphQLError) return formatted;
  if (isStatementTimeout(cause)) {
    return {
      message: 'a database statement ran longer than STATEMENT_TIMEOUT_MS and was cancelled; ask for less',
      path: formatted.path,
      extensions: { code: 'REQUEST_TIMEOUT', reason: 'STATEMENT_TIMEOUT' },
    };
  }
  if (isDatabaseUnavailable(cause)) {
    return {
      message: 'the database is unavailable; try again shortly',
      path: formatted.path,
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' },
    };
  }
  // type-graphql's own errors (validation, authorization) already carry codes in `formatted`.
  if (formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  console.error('unhandled resolver error', cause);
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
