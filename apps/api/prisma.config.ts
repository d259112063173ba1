// Prisma CLI configuration. We use the JavaScript schema engine (engine: 'js') with the
// pg driver adapter so that `prisma migrate deploy` and `prisma generate` need no native
// engine download: the same path works offline and on a machine with internet.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { CliPrismaPg, cliPoolConfig } from './src/db/cli-pool-config';

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'),
  migrations: { path: path.join(__dirname, '..', '..', 'prisma', 'migrations') },
  engine: 'js',
  adapter: async () => new CliPrismaPg(cliPoolConfig(process.env.DATABASE_URL)),
});
