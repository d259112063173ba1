// Prisma CLI configuration. We use the JavaScript schema engine (engine: 'js') with the
// pg driver adapter so that `prisma migrate deploy` and `prisma generate` need no native
// engine download: the same path works offline and on a machine with internet.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { envSources } from './src/config/env-file';
import { CliPrismaPg, cliPoolConfig } from './src/db/cli-pool-config';

// Like every entry point: the environment over `.env` (src/config/env-file.ts). The Prisma CLI
// itself resolves the schema's env("DATABASE_URL") from process.env, so it is set there too.
const DATABASE_URL = envSources().DATABASE_URL;
if (!DATABASE_URL) throw new Error('DATABASE_URL is not set (export it or put it in .env; see .env.example)');
process.env.DATABASE_URL = DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'),
  migrations: { path: path.join(__dirname, '..', '..', 'prisma', 'migrations') },
  engine: 'js',
  adapter: async () => new CliPrismaPg(cliPoolConfig(DATABASE_URL)),
});
