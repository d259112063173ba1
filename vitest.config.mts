import { defineConfig } from 'vitest/config';

// One runner for the whole repository, so CI gets one pass/fail summary.
// Suites that touch PostgreSQL share a migrated template database (test/support).
export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) copies; Node (and so every dependency) loads
    // the CJS one, so test code must too, or its GraphQL classes come from another realm.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      { extends: true, test: { name: 'core', root: 'packages/core', include: ['src/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'ml', root: 'packages/ml', include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'api',
          root: 'apps/api',
          include: ['src/**/*.test.ts'],
          globalSetup: ['../../test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          root: 'test',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
