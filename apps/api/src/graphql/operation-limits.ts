import type { ApolloServerPlugin } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, Kind, validate, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
  maxPageSize: number;
  /** Aliases one request may use (each alias is another run of a field). */
  maxAliases: number;
  /** Root fields one operation may select (fragments expanded, aliases counted). */
  maxRootFields: number;
}

/** Fields the complexity library visits at most; past it the query is refused as too large. */
const MAX_QUERY_NODES = 10_000;

/** Aliases in a document, counted once per place they are written. */
function aliasCount(document: DocumentNode): number {
  let n = 0;
  visit(document, {
    Field(node) {
      if (node.alias) n += 1;
    },
  });
  return n;
}

/** Whether a string anywhere in the document's values or in the variables holds a NUL character. */
function hasNul(document: DocumentNode, variables: unknown): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  const inValue = (v: unknown, depth: number): boolean => {
    if (typeof v === 'string') return v.includes('\u0000');
    if (depth > 20 || v === null || typeof v !== 'object') return false;
    return Object.values(v as Record<string, unknown>).some((x) => inValue(x, depth + 1));
  };
  return found || inValue(variables, 0);
}

/** Root fields of an operation, fragments expanded (each spread counted every time it is spread). */
function rootFieldCount(document: DocumentNode, operation: OperationDefinitionNode, stopAt: number): number {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  let n = 0;
  const walk = (selections: OperationDefinitionNode['selectionSet']['selections'], seen: ReadonlySet<string>) => {
    for (const s of selections) {
      if (n > stopAt) return;
      if (s.kind === Kind.FIELD) {
        if (s.name.value !== '__typename') n += 1;
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections, seen);
      else if (!seen.has(s.name.value)) {
        const fragment = fragments.get(s.name.value);
        if (fragment) walk(fragment.selectionSet.selections, new Set([...seen, s.name.value]));
      }
    }
  };
  walk(operation.selectionSet.selections, new Set());
  return n;
}

export function limitError(reason: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', reason, http: { status: 400 } } });
}

/**
 * A page costs its size times what one item costs; a `classify` call costs one per domain.
 * Page sizes above the limit are refused here, before anything runs.
 */
function listEstimator(maxPageSize: number): ComplexityEstimator {
  return ({ args, childComplexity }) => {
    if (typeof args.first === 'number') {
      if (args.first > maxPageSize)
        throw limitError('PAGE_SIZE_EXCEEDED', `first: ${args.first} is larger than the largest page, ${maxPageSize}`);
      return 1 + args.first * Math.max(childComplexity, 1);
    }
    if (Array.isArray(args.domains)) return 1 + args.domains.length * Math.max(childComplexity, 1);
    return undefined;
  };
}

/**
 * Depth, cost and page-size limits, checked once the operation and its variables are known and
 * before any resolver runs. Each refusal is BAD_USER_INPUT with its own `reason`.
 */
export function operationLimitsPlugin(schema: GraphQLSchema, limits: OperationLimits): ApolloServerPlugin {
  // Apollo reuses the parsed document of a repeated query string, so its depth is measured once.
  const depthErrors = new WeakMap<DocumentNode, GraphQLError | null>();
  const depthError = (document: DocumentNode): GraphQLError | null => {
    if (!depthErrors.has(document)) {
      let tooDeep: GraphQLError | null = null;
      const rule = maxDepthRule({
        n: limits.maxDepth,
        ignoreIntrospection: true,
        propagateOnRejection: false,
        onReject: [(_context, error) => (tooDeep ??= error)],
      });
      validate(schema, document, [rule]);
      depthErrors.set(document, tooDeep);
    }
    return depthErrors.get(document)!;
  };
  // The same document with the same variables always passes or fails the same way: a client
  // paging through results or polling repeats them, so the verdict is remembered (a bounded
  // number per document) instead of walking the document four times per request.
  const verdicts = new WeakMap<DocumentNode, Map<string, { reason: string; message: string } | null>>();
  const VERDICTS_PER_DOCUMENT = 256;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operation }) {
          const key = `${request.operationName ?? ''}\u0000${JSON.stringify(request.variables ?? {})}`;
          // Large variables (a classify call's domains) rarely repeat: not worth remembering.
          const memorable = key.length <= 4096;
          let known = verdicts.get(document);
          const cached = known?.get(key);
          if (cached !== undefined) {
            if (cached) throw limitError(cached.reason, cached.message);
            return;
          }
          try {
            check(document, request, operation);
          } catch (err) {
            const reason = err instanceof GraphQLError ? err.extensions.reason : undefined;
            if (typeof reason === 'string') remember(key, { reason, message: err instanceof Error ? err.message : String(err) });
            throw err;
          }
          remember(key, null);

          function remember(k: string, verdict: { reason: string; message: string } | null) {
            if (!memorable) return;
            if (!known) verdicts.set(document, (known = new Map()));
            if (known.size >= VERDICTS_PER_DOCUMENT) known.clear();
            known.set(k, verdict);
          }
        },
      };
    },
  };

  function check(
    document: DocumentNode,
    request: { variables?: Record<string, unknown>; operationName?: string | null },
    operation: OperationDefinitionNode | null | undefined,
  ): void {
    // PostgreSQL text cannot hold NUL: refused here, with its reason, rather than failing deep in a service.
    if (hasNul(document, request.variables))
      throw limitError('NUL_CHARACTER', 'an argument contains a NUL character (\\u0000), which no name, path or URL may hold');
    const aliases = aliasCount(document);
    if (aliases > limits.maxAliases)
      throw limitError('TOO_MANY_ALIASES', `the query uses ${aliases} aliases; at most ${limits.maxAliases} are allowed (MAX_ALIASES)`);
    const rootFields = operation ? rootFieldCount(document, operation, limits.maxRootFields) : 0;
    if (rootFields > limits.maxRootFields)
      throw limitError(
        'TOO_MANY_ROOT_FIELDS',
        `the operation selects more than ${limits.maxRootFields} root fields (MAX_ROOT_FIELDS); send fewer per request`,
      );
    const tooDeep = depthError(document);
    if (tooDeep) throw limitError('QUERY_TOO_DEEP', tooDeep.message.replace(/^Syntax Error: /, ''));
    let cost: number;
    try {
      cost = getComplexity({
        schema,
        query: document,
        variables: request.variables ?? {},
        ...(request.operationName ? { operationName: request.operationName } : {}),
        maxQueryNodes: MAX_QUERY_NODES,
        // A field priced by the work it does (`complexity` on its decorator) first, then pages, then 1 per field.
        estimators: [fieldExtensionsEstimator(), listEstimator(limits.maxPageSize), simpleEstimator({ defaultComplexity: 1 })],
      });
    } catch (err) {
      if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message))
        throw limitError('QUERY_TOO_LARGE', `the query has more than ${MAX_QUERY_NODES} fields (fragments expanded); send a smaller one`);
      throw err;
    }
    if (cost > limits.maxCost)
      throw limitError(
        'QUERY_TOO_COSTLY',
        `query cost ${cost} is above the limit of ${limits.maxCost} (ask for smaller pages or fewer fields)`,
      );
  }
}
