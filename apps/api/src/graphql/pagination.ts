import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Min } from 'class-validator';

@ArgsType()
export class PageArgs {
  // The upper bound (MAX_PAGE_SIZE) is configuration, checked before execution (operation-limits.ts).
  @Field(() => Int, { defaultValue: 50, description: 'Page size, 1 to MAX_PAGE_SIZE (500 unless configured).' })
  @Min(1)
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

// simpleResolvers (here and on the connection and edge types): plain values read by graphql-js's
// default resolver, without type-graphql's per-field wrapper; see prediction.type.ts.
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean, {
    description:
      'Whether a page comes before this one. Exact for a page asked for with `before`; a page asked for with `after` has one; false where a connection only pages forward.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first node: `before` it is the previous page.' })
  startCursor!: string | null;
}

/** A Relay-style connection type for `Node`, the GraphQL shape of pagination/keyset-page's ConnectionValue (cursor-based, keyset under the hood). */
export function Connection<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => Node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
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
