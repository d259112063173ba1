import type { Prisma } from '@prisma/client';

/**
 * A value as it is stored in a JSON column: serialised and read back, so undefined fields are
 * dropped and class instances become plain objects, exactly as PostgreSQL will hold them.
 */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null));
}
