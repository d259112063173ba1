import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createSchema } from './schema';

/** The public API as SDL, committed as apps/api/schema.graphql so reviewers see every change. */
export async function printedSchema(): Promise<string> {
  // Building the schema never instantiates resolvers, so no container contents are needed.
  const schema = await createSchema({ get: () => undefined as never });
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema.graphql');

if (typeof require !== 'undefined' && require.main === module) {
  printedSchema().then((sdl) => {
    writeFileSync(SCHEMA_FILE, sdl);
    console.log(`wrote ${SCHEMA_FILE}`);
  });
}
