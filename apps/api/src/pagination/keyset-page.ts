import { AppError } from '../errors/app-error';

/**
 * Keyset pages as the services return them: plain values, no GraphQL. graphql/pagination.ts
 * declares the matching connection types (`<Name>Connection`, `PageInfo`).
 */
export interface PageInfoValue {
  hasNextPage: boolean;
  endCursor: string | null;
  hasPreviousPage: boolean;
  startCursor: string | null;
}

export interface ConnectionValue<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: PageInfoValue;
  totalCount?: number | null;
}

type Key = readonly (string | number)[];
type KeyShape = readonly ('string' | 'number')[];

/** Cursors are opaque to clients: base64url of the keyset values of the last row. */
export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function hasShape<K extends Key>(key: unknown, shape: KeyShape): key is K {
  return Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i]);
}

export function decodeCursor<K extends Key>(cursor: string | null | undefined, shape: KeyShape): K | null {
  if (!cursor) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (hasShape<K>(key, shape)) return key;
  throw new AppError('BAD_USER_INPUT', 'INVALID_CURSOR', `invalid cursor "${cursor.slice(0, 40)}"`);
}

/**
 * Builds a connection from `first + 1` rows fetched in keyset order: the extra row only
 * tells whether another page exists. `hasPreviousPage`: what the caller knows of the rows
 * before (false unless told: a forward-only connection does not look back).
 */
export function toConnection<T>(
  rows: T[],
  first: number,
  keyOf: (row: T) => Key,
  totalCount?: number,
  hasPreviousPage = false,
): ConnectionValue<T> {
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  let edges: ConnectionValue<T>['edges'] | null = null;
  return {
    // Built when a query selects them: most read `nodes` and one cursor, and a page of 100
    // cursors was measurable on the API's busiest read.
    get edges() {
      return (edges ??= nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node })));
    },
    nodes,
    pageInfo: {
      hasNextPage: rows.length > first,
      endCursor: last === undefined ? null : encodeCursor(keyOf(last)),
      hasPreviousPage,
      startCursor: nodes[0] === undefined ? null : encodeCursor(keyOf(nodes[0])),
    },
    totalCount: totalCount ?? null,
  };
}

/**
 * The page before a cursor, from `first + 1` rows fetched in reverse keyset order (nearest the
 * cursor first): put back in order; the extra row tells whether a page comes before this one,
 * and the row at the cursor is after it.
 */
export function toConnectionBefore<T>(rows: T[], first: number, keyOf: (row: T) => Key): ConnectionValue<T> {
  const page = toConnection(rows.slice(0, first).reverse(), first, keyOf);
  return { ...page, pageInfo: { ...page.pageInfo, hasNextPage: true, hasPreviousPage: rows.length > first } };
}
