import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express } from 'express';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import type { Env } from './config/env';
import type { Deps } from './deps';
import { formatError } from './errors/format-error';
import { actorFromHeader, type Context } from './graphql/context';
import { createLoaders } from './graphql/loaders';
import { createSchema } from './graphql/schema';

export type ServerEnv = Pick<Env, 'ADMIN_API_KEY' | 'REQUIRE_AUTH' | 'MAX_INGEST_BYTES' | 'DASHBOARD_ORIGIN' | 'NODE_ENV'>;

export interface DgascopeServer {
  app: Express;
  apollo: ApolloServer<Context>;
  stop(): Promise<void>;
}

/** Builds the HTTP app (GraphQL at /graphql, liveness at /healthz) without listening. */
export async function createServer(deps: Deps, env: ServerEnv): Promise<DgascopeServer> {
  const schema = await createSchema(deps.container);
  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    csrfPrevention: true,
    introspection: env.NODE_ENV !== 'production',
  });
  await apollo.start();

  const auth = { adminApiKey: env.ADMIN_API_KEY, requireAuth: env.REQUIRE_AUTH };
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const health = await deps.health.check();
    res.status(health.database && health.redis ? 200 : 503).json(health);
  });
  app.use(
    '/graphql',
    cors<cors.CorsRequest>({ origin: env.DASHBOARD_ORIGIN.split(','), credentials: false }),
    express.json({ limit: '2mb' }),
    graphqlUploadExpress({ maxFileSize: env.MAX_INGEST_BYTES, maxFiles: 1 }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        actor: actorFromHeader(req.headers.authorization, auth),
        requireAuth: auth.requireAuth,
        loaders: createLoaders(deps.db.prisma),
      }),
    }),
  );
  return { app, apollo, stop: () => apollo.stop() };
}
