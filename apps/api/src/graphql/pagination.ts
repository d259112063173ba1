import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Min } from 'class-validator';
import { AppError } from '../errors/app-error';

@ArgsType()
export class PageArgs {
  // The upper bound (MAX_PAGE_SIZE) is configuration, checked before execution (operation-limits.ts).
  @Field(() => Int, { defaultValue: 50, description: 'Page size, 1 to MAX_PAGE_SIZE (500 unless configured).' })
  @Min(1)
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount?: number;
}

/** A Relay-style connection type for `Node` (cursor-based, keyset under the hood). */
export function Connection<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => Node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [Node], { description: 'The nodes of `edges`, for clients that do not need cursors per node.' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { nullable: true, description: 'Total number of items, where it is cheap to know.' })
    totalCount?: number | null;
  }
  return ConnectionType;
}

export interface ConnectionValue<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: PageInfo;
  totalCount?: number | null;
}

/** Cursors are opaque to clients: base64url of the keyset values of the last row. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<K extends readonly (string | number)[]>(
  cursor: string | null | undefined,
  shape: readonly ('string' | 'number')[],
): K | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key as unknown as K;
  } catch {
    // fall through
  }
  throw new AppError('BAD_USER_INPUT', 'INVALID_CURSOR', `invalid cursor "${cursor.slice(0, 40)}"`);
}

/**
 * Builds a connection from `first + 1` rows fetched in keyset order: the extra row only
 * tells whether another page exists.
 */
export function toConnection<T>(
  rows: T[],
  first: number,
  keyOf: (row: T) => readonly (string | number)[],
  totalCount?: number,
): ConnectionValue<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: totalCount ?? null,
  };
}
