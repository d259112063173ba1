import type { ApolloServerPlugin } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
  maxPageSize: number;
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
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const tooDeep = depthError(document);
          if (tooDeep) throw limitError('QUERY_TOO_DEEP', tooDeep.message.replace(/^Syntax Error: /, ''));
          const cost = getComplexity({
            schema,
            query: document,
            variables: request.variables ?? {},
            ...(request.operationName ? { operationName: request.operationName } : {}),
            estimators: [listEstimator(limits.maxPageSize), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > limits.maxCost)
            throw limitError(
              'QUERY_TOO_COSTLY',
              `query cost ${cost} is above the limit of ${limits.maxCost} (ask for smaller pages or fewer fields)`,
            );
        },
      };
    },
  };
}
