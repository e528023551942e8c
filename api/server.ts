/**
 * The API process: Express + Apollo Server for HTTP GraphQL, graphql-ws on the same port and
 * path for subscriptions, /health and /ready, and an offline GraphiQL page.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { Connection } from '@temporalio/client';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { getOperationAST, GraphQLError, Kind, specifiedRules, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import type { Services } from '../services';
import { PUBLIC_ROOT_FIELDS, rateLimit, resolveAuthorization, unauthenticated } from './auth/auth';
import { CLOSE_UNAUTHORIZED, SocketRegistry } from './auth/socket-registry';
import { AUTH_FAILURE_MESSAGES } from '../services/api-key.service';
import type { GraphQLContext, Principal } from './context';
import { graphiqlRouter } from './graphiql';
import { webAppRouter } from './web-app';
import { sharedSubscribe } from './shared-subscriptions';
import { healthRouter } from './health';
import { metricsPlugin } from './metrics-plugin';
import { serveMetrics } from '../observability/metrics-http';
import { createApiMetrics, renderMetrics, type ApiMetrics } from '../observability/metrics';
import { assertComplexity, depthLimitRule } from './query-guards';
import { browserOriginAllowed, securityHeaders } from './browser';
import { documentLimitsMiddleware, parseBounded, type DocumentLimits } from './document-limits';
import { withClientErrors } from './errors';
import { errorSummary, formatError, httpStatusPlugin, isServiceUnavailable, noStorePlugin, jsonErrorHandler, unavailableError, withHttpStatus } from './http-errors';
import { assertNoNul } from './input-guards';
import { expressClientAddress, fastGraphqlHandler, headersOf } from './http-graphql';
import { buildApiSchema } from './schema';

export const GRAPHQL_PATH = '/graphql';

export interface ApiDeps {
  config: AppConfig;
  db: DataSource;
  temporalConnection: Connection;
  services: Services;
  log: Logger;
  /** This process's API metrics (runtime/api-process.ts makes them); a fresh set when absent. */
  metrics?: ApiMetrics;
}

export interface ApiServer {
  url: string;
  graphqlUrl: string;
  graphiqlUrl: string | undefined;
  httpServer: http.Server;
  close(): Promise<void>;
}

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * True when the operation may run without a key: a single password exchange for a first key,
 * and, where introspection is enabled at all (not in production by default), schema
 * introspection, so GraphiQL can show the docs before a key is entered.
 */
function isPublicOperation(op: OperationDefinitionNode, introspection: boolean): boolean {
  const fields = op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ''));
  // One password exchange per keyless request: aliases must not multiply the bcrypt work.
  if (fields.length === 1 && PUBLIC_ROOT_FIELDS.has(fields[0])) return true;
  return introspection && op.operation === 'query' && fields.some((f) => f === '__schema' || f === '__type') && fields.every((f) => INTROSPECTION_ROOT_FIELDS.has(f));
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** tidings_http_responses_total, by route and status. */
function httpMetrics(metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path; // read now: mounted routers rewrite it before the response finishes
    res.on('finish', () => metrics.httpResponse(path, res.statusCode));
    next();
  };
}

/** A request id per request (the caller's X-Request-Id when sane), on every log line for it. */
function requestLogging(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const child = log.child({ requestId });
    res.locals.requestId = requestId;
    res.locals.log = child;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      child.info({ method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

/**
 * The HTTP GraphQL context. `log` (the request's child logger) is a getter on the prototype, made
 * on first use: Apollo copies the context's own properties into a fresh object per operation
 * (Object.assign), which would call an own getter at once; a prototype getter survives the copy.
 */
class HttpContext implements GraphQLContext {
  principal: Principal | null = null;
  authFailure?: GraphQLContext['authFailure'];
  authDisabled?: boolean;
  constructor(
    readonly requestId: string,
    readonly services: Services,
    readonly clientAddress: string | undefined,
    private readonly requestLog: () => Logger,
  ) {}
  get log(): Logger {
    return this.requestLog();
  }
}

export async function startApiServer(deps: ApiDeps, listen: { host: string; port: number }): Promise<ApiServer> {
  const { config, log } = deps;
  const metrics = deps.metrics ?? createApiMetrics();
  if (config.authDisabled && config.env === 'production') throw new Error('authDisabled exists only for bench/auth.ts and is refused in production');
  const schema = await buildApiSchema();
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are POST responses that no client revalidates: hashing each body for an ETag is pure cost.
  app.set('etag', false);
  // Which X-Forwarded-For hops to believe for req.ip (the client address the login throttle counts).
  app.set('trust proxy', config.trustProxy);
  // POST /graphql goes to `fast` (api/http-graphql.ts) once Apollo has started; the rest to Express.
  let fast: ReturnType<typeof fastGraphqlHandler> | undefined;
  const httpServer = http.createServer((req, res) => {
    if (fast?.eligible(req)) fast.handle(req, res);
    else app(req, res);
  });

  const limits = { USER: config.rateLimitUserPerMin, ADMIN: config.rateLimitAdminPerMin };
  const guardRules = [depthLimitRule(config.maxQueryDepth)];
  const sockets = new SocketRegistry(deps.services.hub, log, () => deps.services.apiKeys.forget());

  /** Per socket: its running subscriptions (id -> field label), for tidings_graphql_subscriptions_active. */
  type WsState = { requestId?: string; principal?: Principal; subscriptions?: Map<string, string>; [k: string]: unknown };
  type WsExtra = Extra & Partial<WsState>;
  const documentLimits: DocumentLimits = { maxBytes: config.maxDocumentBytes, maxTokens: config.maxDocumentTokens, maxSelections: config.maxDocumentSelections };
  // maxPayload bounds every message, connection_init included, before any key is checked; a
  // larger frame closes the socket (1009). With an allow-list, browsers from other origins are refused.
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    maxPayload: config.wsMaxPayloadBytes,
    verifyClient: (info: { origin?: string }) => browserOriginAllowed(info.origin, config.corsOrigins),
  });
  metrics.watchSockets(() => wsServer.clients.size);
  /** Counts a graphql-ws operation refused before it ran; returns the errors for graphql-ws to send. */
  const wsRefused = (errors: readonly GraphQLError[], name: string | undefined, type: string | undefined, fallbackCode = 'GRAPHQL_VALIDATION_FAILED') => {
    const first = errors[0];
    const original = first?.originalError;
    const code = (original instanceof GraphQLError ? original.extensions.code : undefined) ?? first?.extensions.code ?? fallbackCode;
    metrics.operation(name, type, String(code));
    if (code === 'RATE_LIMITED') metrics.rateLimited('ws');
    return errors;
  };
  const wsContext = (extra: WsExtra): GraphQLContext => {
    const requestId = extra.requestId ?? randomUUID();
    return { requestId, log: log.child({ requestId }), services: deps.services, principal: extra.principal ?? null, authDisabled: config.authDisabled, clientAddress: extra.request.socket.remoteAddress };
  };
  const wsCleanup = useServer<Record<string, unknown>, WsState>(
    {
      schema,
      subscribe: sharedSubscribe,
      // Apollo's formatError does not run here: service errors get their code on the way out.
      onNext: (_ctx, _id, _payload, _args, result) => {
        const mapped = withClientErrors(result);
        return mapped === result ? undefined : mapped;
      },
      // The key travels once, in connection_init; a socket without a valid one never opens.
      onConnect: async (ctx) => {
        ctx.extra.requestId = randomUUID();
        if (config.authDisabled) return true;
        let resolved: Awaited<ReturnType<typeof resolveAuthorization>>;
        try {
          resolved = await resolveAuthorization(deps.services, ctx.connectionParams?.authorization);
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
      // Same guards as HTTP: depth, cost and the key's rate limit, before anything runs.
      onSubscribe: async (ctx, subscriptionId, payload) => {
        let document: DocumentNode;
        try {
          document = parseBounded(payload.query, documentLimits);
        } catch (err) {
          return wsRefused([err instanceof GraphQLError ? err : new GraphQLError(String(err))], undefined, undefined, 'GRAPHQL_PARSE_FAILED');
        }
        const operation = getOperationAST(document, payload.operationName);
        const name = operation?.name?.value;
        const errors = validate(schema, document, [...specifiedRules, ...guardRules]);
        if (errors.length > 0) return wsRefused(errors, name, operation?.operation);
        const socket = ctx.extra.socket;
        const contextValue: GraphQLContext = {
          ...wsContext(ctx.extra),
          wsDelivery: {
            subscriptionId,
            send: (message) => {
              if (socket.readyState === socket.OPEN) socket.send(message);
              else metrics.events.dropped('socket_closed');
            },
          },
        };
        try {
          assertComplexity(schema, document, payload.operationName ?? undefined, payload.variables ?? undefined, config.maxQueryComplexity);
          assertNoNul(document, payload.variables);
        } catch (err) {
          return wsRefused([err as GraphQLError], name, operation?.operation);
        }
        let limited: GraphQLError | null;
        try {
          limited = await rateLimit(contextValue, limits);
        } catch (err) {
          if (isServiceUnavailable(err)) return wsRefused([unavailableError()], name, operation?.operation);
          throw err;
        }
        if (limited) return wsRefused([limited], name, operation?.operation);
        metrics.operation(name, operation?.operation, 'OK');
        const first = operation?.operation === 'subscription' ? operation.selectionSet.selections[0] : undefined;
        if (first?.kind === Kind.FIELD) (ctx.extra.subscriptions ??= new Map()).set(subscriptionId, metrics.subscriptionStarted(first.name.value));
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
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

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: guardRules,
    parseOptions: { maxTokens: documentLimits.maxTokens },
    formatError: formatError({ log, stackTraces: config.graphqlStackTraces }),
    introspection: config.introspection,
    stopOnTerminationSignals: false, // our process owns its signals (runtime/process-signals.ts)
    includeStacktraceInErrorResponses: config.graphqlStackTraces,
    plugins: [
      httpStatusPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No type or field has a cache hint: the cache-control plugin's per-field hook computed
      // "uncacheable" for every response. Every GraphQL response is private and uncacheable.
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      metricsPlugin(metrics),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ operation, document, request, contextValue }) {
              assertComplexity(schema, document, request.operationName ?? undefined, request.variables, config.maxQueryComplexity);
              assertNoNul(document, request.variables);
              if (contextValue.authDisabled) return;
              if (!contextValue.principal && !(operation && isPublicOperation(operation, config.introspection))) throw unauthenticated(contextValue.authFailure);
              const limited = await rateLimit(contextValue, limits);
              if (limited) {
                metrics.rateLimited('http');
                throw limited;
              }
            },
          };
        },
      },
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  /** The HTTP GraphQL context: the key resolved; the request's child logger made only when used. */
  const httpContext = async (requestId: string, requestLog: () => Logger, clientAddress: string | undefined, authorization: string | undefined): Promise<GraphQLContext> => {
    const ctx: GraphQLContext = new HttpContext(requestId, deps.services, clientAddress, requestLog);
    if (config.authDisabled) {
      ctx.authDisabled = true;
      return ctx;
    }
    let resolved: Awaited<ReturnType<typeof resolveAuthorization>>;
    try {
      resolved = await resolveAuthorization(deps.services, authorization);
    } catch (err) {
      if (!isServiceUnavailable(err)) throw err;
      ctx.log.warn({ error: errorSummary(err) }, 'cannot check the API key: a dependency is unavailable');
      throw withHttpStatus(unavailableError());
    }
    ctx.principal = resolved.principal;
    if (resolved.authFailure !== undefined) ctx.authFailure = resolved.authFailure;
    return ctx;
  };

  app.use(httpMetrics(metrics));
  // Before request logging: a scrape every few seconds would drown the log.
  app.get('/metrics', (req, res) => void serveMetrics(req, res, { token: config.metricsToken, render: () => renderMetrics(metrics.registry) }));
  app.use(requestLogging(log));
  const helmetMiddleware = securityHeaders();
  app.use(helmetMiddleware);
  app.use(
    GRAPHQL_PATH,
    // CORS only for the listed origins (none by default: no CORS headers at all).
    cors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, maxAge: 600 }),
    express.json({ limit: '2mb' }),
    documentLimitsMiddleware(documentLimits),
    expressMiddleware(apollo, {
      context: ({ req, res }) => httpContext(res.locals.requestId as string, () => res.locals.log as Logger, req.ip ?? req.socket.remoteAddress, req.headers.authorization),
    }),
    jsonErrorHandler(log),
  );
  // After /graphql, so GraphQL requests (nearly all traffic) skip these routers' matching.
  app.use(
    healthRouter({
      db: deps.db,
      temporal: deps.temporalConnection,
      namespace: config.temporalNamespace,
      // One task queue serves both today; the parts stay named so the dashboard says which is down.
      parts: [
        { part: 'ingestion', taskQueue: config.taskQueue },
        { part: 'scoring', taskQueue: config.taskQueue },
      ],
      pollerMaxAgeMs: config.readyPollerMaxAgeMs,
    }),
  );
  if (config.graphiql) app.use(graphiqlRouter(GRAPHQL_PATH));
  // Last: the dashboard's routes and its client-side deep links.
  app.use(webAppRouter({ temporalUiUrl: config.temporalUiUrl, temporalNamespace: config.temporalNamespace }));

  fast = fastGraphqlHandler({
    path: GRAPHQL_PATH,
    apollo,
    log,
    metrics,
    documentLimits,
    corsOrigins: config.corsOrigins,
    staticHeaders: headersOf(helmetMiddleware),
    clientAddress: expressClientAddress(app),
    context: (req, requestId, requestLog, clientAddress) => httpContext(requestId, requestLog, clientAddress, req.headers.authorization),
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const displayHost = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  const url = `http://${displayHost}:${port}`;
  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    graphiqlUrl: config.graphiql ? `${url}/graphiql` : undefined,
    httpServer,
    async close() {
      sockets.stop();
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      await apollo.stop();
    },
  };
}
