import type { AuthCheckerFn, MiddlewareFn } from 'type-graphql';
import { AppError } from '../errors/app-error';
import type { Context, Role } from './context';

/** @Authorized('ADMIN'): throws AppError so that the client gets UNAUTHENTICATED or FORBIDDEN with a reason. */
export const authChecker: AuthCheckerFn<Context, Role> = ({ context }, roles) => {
  if (!context.actor) {
    throw new AppError('UNAUTHENTICATED', 'API_KEY_REQUIRED', 'this operation requires an admin API key (Authorization: Bearer <key>)');
  }
  if (roles.length > 0 && !roles.includes(context.actor.role)) {
    throw new AppError('FORBIDDEN', 'ROLE_REQUIRED', `this operation requires the ${roles.join(' or ')} role`);
  }
  return true;
};

/** With REQUIRE_AUTH, every root query field needs a caller as well. */
export const requireAuthForQueries: MiddlewareFn<Context> = async ({ context, info }, next) => {
  if (context.requireAuth && !context.actor && info.parentType.name === 'Query') {
    throw new AppError('UNAUTHENTICATED', 'API_KEY_REQUIRED', 'this server requires an API key for queries (Authorization: Bearer <key>)');
  }
  return next();
};
