import 'reflect-metadata';
import { EnvError, loadEnv } from './config/env';
import { createDeps } from './deps';
import { startMetricsServer } from './metrics/metrics-server';
import { createServer } from './server';

async function main(): Promise<void> {
  const env = loadEnv();
  const deps = createDeps(env);
  const server = await createServer(deps, env);
  const http = await server.listen(env.PORT, env.HOST);
  console.log(`dgascope API on http://${env.HOST}:${env.PORT}/graphql (queries ${env.REQUIRE_AUTH ? 'need an API key' : 'open'})`);
  const metrics = env.METRICS_PORT ? await startMetricsServer(deps.metrics, env.METRICS_HOST, env.METRICS_PORT) : null;
  if (metrics) console.log(`dgascope API: metrics on http://${env.METRICS_HOST}:${env.METRICS_PORT}/metrics`);
  const shutdown = async () => {
    http.close();
    metrics?.close();
    await server.stop();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(1);
});
