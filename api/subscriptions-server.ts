/**
 * graphql-ws on the API's HTTP server and GraphQL path: the key is checked once, in
 * connection_init (a socket without a valid one never opens), and every `subscribe` message
 * passes the same admission as an HTTP request (api/admission.ts) before it runs.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { Kind } from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../config/logger';
import type { ApiMetrics } from '../observability/metrics';
import type { Services } from '../services';
import { AUTH_FAILURE_MESSAGES } from '../services/api-key.service';
import type { Admission } from './admission';
import { CLOSE_UNAUTHORIZED, SocketRegistry } from './auth/socket-registry';
import { browserOriginAllowed } from './browser';
import type { GraphQLContext, Principal } from './context';
import { withClientErrors } from './errors';
import { isServiceUnavailable } from './http-errors';
import { sharedSubscribe } from './shared-subscriptions';

export interface SubscriptionsServerOptions {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  admission: Admission;
  services: Services;
  log: Logger;
  metrics: ApiMetrics;
  corsOrigins: string[];
  authDisabled: boolean;
}

/** Per socket: its request id, principal and running subscriptions (id -> field label, for tidings_graphql_subscriptions_active). */
type WsState = { requestId?: string; principal?: Principal; subscriptions?: Map<string, string>; [k: string]: unknown };
type WsExtra = Extra & Partial<WsState>;

export function startSubscriptionsServer(opts: SubscriptionsServerOptions) {
  const { schema, admission, services, log, metrics } = opts;
  const sockets = new SocketRegistry(services.hub, log, () => services.apiKeys.forget());
  // maxPayload bounds every message, connection_init included, before any key is checked; a
  // larger frame closes the socket (1009). With an allow-list, browsers from other origins are refused.
  const wsServer = new WebSocketServer({
    server: opts.httpServer,
    path: opts.path,
    maxPayload: admission.limits.wsMaxPayloadBytes,
    verifyClient: (info: { origin?: string }) => browserOriginAllowed(info.origin, opts.corsOrigins),
  });
  metrics.watchSockets(() => wsServer.clients.size);

  const context = (extra: WsExtra): GraphQLContext => {
    const requestId = extra.requestId ?? randomUUID();
    return { requestId, log: log.child({ requestId }), services, principal: extra.principal ?? null, authDisabled: opts.authDisabled, clientAddress: extra.request.socket.remoteAddress };
  };

  const cleanup = useServer<Record<string, unknown>, WsState>(
    {
      schema,
      subscribe: sharedSubscribe,
      // Apollo's formatError does not run here: service errors get their code on the way out.
      onNext: (_ctx, _id, _payload, _args, result) => {
        const mapped = withClientErrors(result);
        return mapped === result ? undefined : mapped;
      },
      onConnect: async (ctx) => {
        ctx.extra.requestId = randomUUID();
        if (opts.authDisabled) return true;
        let resolved: Awaited<ReturnType<Admission['authenticate']>>;
        try {
          resolved = await admission.authenticate(ctx.connectionParams?.authorization);
        } catch (err) {
          if (!isServiceUnavailable(err)) throw err;
          ctx.extra.socket.close(1013, 'Try again later: a service this API needs is not answering');
          return false;
        }
        const { principal, authFailure } = resolved;
        if (!principal) {
          const reason = AUTH_FAILURE_MESSAGES[authFailure ?? 'missing'].replace('send "Authorization: Bearer <key>"', 'put it in connectionParams.authorization');
          ctx.extra.socket.close(CLOSE_UNAUTHORIZED, `Unauthorized: ${reason}`.slice(0, 120));
          return false;
        }
        ctx.extra.principal = principal;
        sockets.add(ctx.extra.socket, { apiKeyId: principal.apiKeyId, userId: principal.userId }, principal.keyExpiresAt);
        return true;
      },
      onSubscribe: async (ctx, subscriptionId, payload) => {
        const socket = ctx.extra.socket;
        const contextValue: GraphQLContext = {
          ...context(ctx.extra),
          wsDelivery: {
            subscriptionId,
            send: (message) => {
              if (socket.readyState === socket.OPEN) socket.send(message);
              else metrics.events.dropped('socket_closed');
            },
          },
        };
        const admitted = await admission.admitSubscription(contextValue, payload);
        const name = admitted.operation?.name?.value;
        const type = admitted.operation?.operation;
        if (!admitted.ok) {
          metrics.operation(name, type, admitted.code);
          return admitted.errors;
        }
        metrics.operation(name, type, 'OK');
        const first = type === 'subscription' ? admitted.operation!.selectionSet.selections[0] : undefined;
        if (first?.kind === Kind.FIELD) (ctx.extra.subscriptions ??= new Map()).set(subscriptionId, metrics.subscriptionStarted(first.name.value));
        return { schema, document: admitted.document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onComplete: (ctx, subscriptionId) => {
        const field = ctx.extra.subscriptions?.get(subscriptionId);
        if (field === undefined) return;
        ctx.extra.subscriptions!.delete(subscriptionId);
        metrics.subscriptionEnded(field);
      },
      // A subscription whose start failed after onSubscribe is never completed: settle it here.
      onClose: (ctx) => {
        for (const field of ctx.extra.subscriptions?.values() ?? []) metrics.subscriptionEnded(field);
        ctx.extra.subscriptions?.clear();
      },
    },
    wsServer,
  );

  return {
    /** Stops graphql-ws (Apollo's drain calls this). */
    dispose: () => cleanup.dispose(),
    /** Stops key-expiry watching and closes every socket (1001). */
    close() {
      sockets.stop();
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
    },
  };
}
