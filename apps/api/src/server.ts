import 'reflect-metadata';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { graphqlUploadExpress } from 'graphql-upload-minimal';
import type { Env } from './config/env';
import type { Deps } from './deps';
import { formatError } from './errors/format-error';
import { actorFromHeader, type Context } from './graphql/context';
import { isIngestionOperation } from './graphql/ingestion-operation';
import { createLoaders } from './graphql/loaders';
import { operationLimitsPlugin } from './graphql/operation-limits';
import { dropLateResponses, requestDeadline } from './graphql/request-deadline';
import { createSchema } from './graphql/schema';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics.plugin';
import { httpMetrics } from './metrics/http-metrics';
import { predictionsCsv } from './modules/predictions/predictions-csv';

export type ServerEnv = Pick<
  Env,
  | 'REQUIRE_AUTH'
  | 'MAX_UPLOAD_BYTES'
  | 'DASHBOARD_ORIGIN'
  | 'INTROSPECTION'
  | 'MAX_QUERY_DEPTH'
  | 'MAX_QUERY_COST'
  | 'MAX_PAGE_SIZE'
  | 'MAX_ALIASES'
  | 'MAX_ROOT_FIELDS'
  | 'DEBUG_ERRORS'
  | 'REQUEST_TIMEOUT_MS'
> &
  Partial<Pick<Env, 'METRICS_PORT'>>;

export interface DgascopeServer {
  app: Express;
  apollo: ApolloServer<Context>;
  /** Listens on host:port; resolves once it does. */
  listen(port: number, host: string): Promise<Server>;
  stop(): Promise<void>;
}

/**
 * Idle keep-alive connections are kept longer than any client here keeps them (undici, which
 * the dashboard's proxy uses, drops its own after 4 s). With Node's default of 5 s, a proxy
 * whose event loop was busy could send its next request on a socket the API was closing that
 * instant: an ECONNRESET the admin saw as "cannot reach the dgascope API".
 */
const KEEP_ALIVE_MS = 65_000;

/** Refuses a body announced as larger than the limit before reading any of it. */
function uploadSizeLimit(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length <= maxBytes) return next();
    res.status(413).json({
      errors: [
        {
          message: `the request body is ${length} bytes; the largest upload is ${maxBytes} bytes (MAX_UPLOAD_BYTES)`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', reason: 'UPLOAD_TOO_LARGE' },
        },
      ],
    });
  };
}

const JSON_BODY_LIMIT = '2mb';

const errorBody = (message: string, code: string, reason: string) => ({ errors: [{ message, extensions: { code, reason } }] });

/** A JSON body that is too large or not JSON gets a GraphQL-shaped answer, not Express's HTML page. */
const bodyErrors: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
  if (err.type === 'entity.too.large')
    return void res
      .status(413)
      .json(
        errorBody(
          `the request body is larger than ${JSON_BODY_LIMIT}; upload files as multipart requests`,
          'PAYLOAD_TOO_LARGE',
          'BODY_TOO_LARGE',
        ),
      );
  if (err.type === 'entity.parse.failed' || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported')
    return void res.status(400).json(errorBody('the request body is not valid JSON', 'BAD_REQUEST', 'INVALID_JSON'));
  next(err);
};

function lastResort(debug: boolean): ErrorRequestHandler {
  return (err: { status?: number; statusCode?: number; stack?: string }, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) console.error('unhandled HTTP error', err);
    const body = errorBody(
      status >= 500 ? 'Internal server error' : 'the request could not be read',
      status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST',
      status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
    );
    res.status(status).json(debug ? { ...body, stack: err.stack } : body);
  };
}

/** Builds the HTTP app (GraphQL at /graphql, the predictions CSV at /predictions.csv, liveness at /healthz) without listening. */
export async function createServer(deps: Deps, env: ServerEnv): Promise<DgascopeServer> {
  const schema = await createSchema(deps.container);
  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    csrfPrevention: true,
    introspection: env.INTROSPECTION,
    // Stack traces (with the server's paths) only when asked for, never by default.
    includeStacktraceInErrorResponses: env.DEBUG_ERRORS,
    plugins: [
      // dgascope sets no cache hints; the plugin would still wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      graphqlMetricsPlugin(deps.metrics),
      operationLimitsPlugin(schema, {
        maxDepth: env.MAX_QUERY_DEPTH,
        maxCost: env.MAX_QUERY_COST,
        maxPageSize: env.MAX_PAGE_SIZE,
        maxAliases: env.MAX_ALIASES,
        maxRootFields: env.MAX_ROOT_FIELDS,
      }),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetrics(deps.metrics));
  // On the API's own port unless METRICS_PORT gives it one of its own (main.ts).
  if (!env.METRICS_PORT)
    app.get('/metrics', async (_req, res) => {
      res.type(deps.metrics.contentType).send(await deps.metrics.text());
    });
  app.get('/healthz', async (_req, res) => {
    const health = await deps.health.check();
    res.status(health.database && health.redis ? 200 : 503).json(health);
  });
  app.get(
    '/predictions.csv',
    cors<cors.CorsRequest>({ origin: env.DASHBOARD_ORIGIN.split(','), credentials: false }),
    predictionsCsv({ ...deps, requireAuth: env.REQUIRE_AUTH }),
  );
  app.use(
    '/graphql',
    cors<cors.CorsRequest>({ origin: env.DASHBOARD_ORIGIN.split(','), credentials: false }),
    uploadSizeLimit(env.MAX_UPLOAD_BYTES),
    express.json({ limit: JSON_BODY_LIMIT }),
    bodyErrors,
    graphqlUploadExpress({ maxFileSize: env.MAX_UPLOAD_BYTES, maxFiles: 1 }),
    // After the upload middleware: a multipart request's operation is known by then.
    requestDeadline(env.REQUEST_TIMEOUT_MS, isIngestionOperation),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        // Work still running when the response is closed (a 503 REQUEST_TIMEOUT, a client that
        // went away) has nobody to answer: services check this signal between their statements.
        const abandoned = new AbortController();
        res.once('close', () => abandoned.abort());
        return {
          actor: await actorFromHeader(req.headers.authorization, deps.apiKeys),
          requireAuth: env.REQUIRE_AUTH,
          loaders: createLoaders(deps.db.prisma, deps.snapshotDomains),
          signal: abandoned.signal,
        };
      },
    }),
    dropLateResponses,
  );
  // Anything else that reaches Express's own handler would be an HTML page with a stack trace.
  app.use(lastResort(env.DEBUG_ERRORS));
  const listen = (port: number, host: string) =>
    new Promise<Server>((resolve, reject) => {
      const http = app.listen(port, host, () => resolve(http));
      http.keepAliveTimeout = KEEP_ALIVE_MS;
      http.headersTimeout = KEEP_ALIVE_MS + 1_000;
      http.once('error', reject);
    });
  return { app, apollo, listen, stop: () => apollo.stop() };
}
