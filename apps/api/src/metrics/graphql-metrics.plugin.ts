import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from './metrics';

/** Times every GraphQL operation, labelled by its name, type and outcome. */
export function graphqlMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer();
      return {
        async willSendResponse({ request, operation, errors }) {
          end({
            operation: metrics.operationLabel(operation?.name?.value ?? request.operationName),
            type: operation?.operation ?? 'invalid',
            outcome: errors?.length ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
