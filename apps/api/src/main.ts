import 'reflect-metadata';
import { EnvError, loadEnv } from './config/env';
import { createDeps } from './deps';
import { createServer } from './server';

async function main(): Promise<void> {
  const env = loadEnv();
  const deps = createDeps(env);
  const server = await createServer(deps, env);
  const http = server.app.listen(env.PORT, env.HOST, () => {
    console.log(`dgascope API on http://${env.HOST}:${env.PORT}/graphql (queries ${env.REQUIRE_AUTH ? 'need an API key' : 'open'})`);
  });
  const shutdown = async () => {
    http.close();
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
