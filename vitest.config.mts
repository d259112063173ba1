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
        test: {
          name: 'ml',
          root: 'packages/ml',
          include: ['src/**/*.test.ts'],
          provide: { mlBackend: 'wasm' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The same ml tests again on native TensorFlow (tfjs-node); where it does not load, its
        // suites are skipped with the reason in their names (packages/ml/src/test-utils.ts).
        // Not repeated here: WASM kernel patches vs cpu, backend selection, and native.test.ts
        // (WASM and native side by side, incl. prediction agreement: it runs in `ml`).
        extends: true,
        test: {
          name: 'ml-native',
          root: 'packages/ml',
          include: ['src/**/*.test.ts'],
          exclude: ['src/wasm-kernels.test.ts', 'src/backend.test.ts', 'src/native.test.ts'],
          provide: { mlBackend: 'tfjs-node' },
          env: { TF_CPP_MIN_LOG_LEVEL: '2' }, // TensorFlow's start-up log
          globalSetup: ['./vitest.native-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
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
