/**
 * Apollo plugin: every HTTP GraphQL operation counted by name, type and outcome code, with its
 * latency (request received -> response ready). Names only for named operations.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiMetrics } from '../observability/metrics';
import type { GraphQLContext } from './context';

export function metricsPlugin(metrics: Pick<ApiMetrics, 'operation'>): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors && errors.length > 0 ? String(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'OK';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.operation(operation?.name?.value, operation?.operation, code, seconds);
        },
      };
    },
  };
}
