import { readFileSync } from 'node:fs';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from './emit-schema';
import { createSchema } from './schema';

describe('apps/api/schema.graphql', () => {
  it('is up to date with the resolvers (run `npm run schema:emit -w @dgascope/api` after changing the API)', async () => {
    expect(await printedSchema()).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});

describe('the predictions page types', () => {
  it("read plain fields with graphql-js's default resolver and keep the field resolvers (simpleResolvers)", async () => {
    const schema = await createSchema({ get: () => undefined as never });
    const field = (type: string, name: string) => {
      const found = (schema.getType(type) as GraphQLObjectType | undefined)?.getFields()[name];
      if (!found) throw new Error(`no field ${type}.${name} in the schema`);
      return found;
    };
    // No per-field wrapper on the ~800 values of a page of 100 predictions.
    for (const [type, name] of [
      ['Prediction', 'domain'],
      ['Prediction', 'createdAt'],
      ['TopFamily', 'probability'],
      ['PredictionConnection', 'nodes'],
      ['PredictionEdge', 'cursor'],
      ['PageInfo', 'endCursor'],
    ] as const)
      expect(field(type, name).resolve, `${type}.${name}`).toBeUndefined();
    // A field with a resolver method still runs it (type-graphql's resolver, with its parameters).
    expect(field('Prediction', 'feedListing').resolve).toBeTypeOf('function');
    // Root fields keep the access policy's wrapper (auth-checker.ts).
    expect(field('Query', 'predictions').resolve).toBeTypeOf('function');
  });
});
