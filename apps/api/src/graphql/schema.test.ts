import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from './emit-schema';

describe('apps/api/schema.graphql', () => {
  it('is up to date with the resolvers (run `npm run schema:emit -w @dgascope/api` after changing the API)', async () => {
    expect(await printedSchema()).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});
