/**
 * The API process: Express + Apollo Server for HTTP GraphQL, graphql-ws on the same port and
 * path for subscriptions, /health and /ready, and an offline GraphiQL page.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { Connection } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, Kind, parse, specifiedRules, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
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
import { sharedSubscribe } from './shared-subscriptions';
import { healthRouter } from './health';
import { assertComplexity, depthLimitRule } from './query-guards';
import { buildApiSchema } from './schema';

export const GRAPHQL_PATH = '/graphql';

export interface ApiDeps {
  config: AppConfig;
  db: DataSource;
  temporalConnection: Connection;
  services: Services;
  log: Logger;
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
 * True when every root field of the operation may be called without a key: the password
 * exchange for a first key, and, where introspection is enabled at all (not in production by
 * default), schema introspection, so GraphiQL can show the docs before a key is entered.
 */
function isPublicOperation(op: OperationDefinitionNode, introspection: boolean): boolean {
  const fields = op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ''));
  if (fields.every((f) => PUBLIC_ROOT_FIELDS.has(f))) return true;
  return introspection && op.operation === 'query' && fields.some((f) => f === '__schema' || f === '__type') && fields.every((f) => INTROSPECTION_ROOT_FIELDS.has(f));
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

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

export async function startApiServer(deps: ApiDeps, listen: { host: string; port: number }): Promise<ApiServer> {
  const { config, log } = deps;
  if (config.authDisabled && config.env === 'production') throw new Error('authDisabled exists only for bench/auth.ts and is refused in production');
  const schema = await buildApiSchema();
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers are POST responses that no client revalidates: hashing each body for an ETag is pure cost.
  app.set('etag', false);
  // Which X-Forwarded-For hops to believe for req.ip (the client address the login throttle counts).
  app.set('trust proxy', config.trustProxy);
  const httpServer = http.createServer(app);

  const limits = { USER: config.rateLimitUserPerMin, ADMIN: config.rateLimitAdminPerMin };
  const guardRules = [depthLimitRule(config.maxQueryDepth)];
  const sockets = new SocketRegistry(deps.services.hub, log, () => deps.services.apiKeys.forget());

  type WsState = { requestId?: string; principal?: Principal; [k: string]: unknown };
  type WsExtra = Extra & Partial<WsState>;
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsContext = (extra: WsExtra): GraphQLContext => {
    const requestId = extra.requestId ?? randomUUID();
    return { requestId, log: log.child({ requestId }), services: deps.services, principal: extra.principal ?? null, authDisabled: config.authDisabled, clientAddress: extra.request.socket.remoteAddress };
  };
  const wsCleanup = useServer<Record<string, unknown>, WsState>(
    {
      schema,
      subscribe: sharedSubscribe,
      // The key travels once, in connection_init; a socket without a valid one never opens.
      onConnect: async (ctx) => {
        ctx.extra.requestId = randomUUID();
        if (config.authDisabled) return true;
        const { principal, authFailure } = await resolveAuthorization(deps.services, ctx.connectionParams?.authorization);
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
          document = parse(payload.query);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
        }
        const errors = validate(schema, document, [...specifiedRules, ...guardRules]);
        if (errors.length > 0) return errors;
        const socket = ctx.extra.socket;
        const contextValue: GraphQLContext = {
          ...wsContext(ctx.extra),
          wsDelivery: { subscriptionId, send: (message) => socket.readyState === socket.OPEN && socket.send(message) },
        };
        try {
          assertComplexity(schema, document, payload.operationName ?? undefined, payload.variables ?? undefined, config.maxQueryComplexity);
        } catch (err) {
          return [err as GraphQLError];
        }
        const limited = await rateLimit(contextValue, limits);
        if (limited) return [limited];
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: guardRules,
    // Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED; keep the guard's own code.
    formatError: (formatted, error) => {
      const original = (error as GraphQLError).originalError;
      const guardCode = original instanceof GraphQLError ? original.extensions.code : undefined;
      return guardCode === 'QUERY_TOO_DEEP' ? { ...formatted, extensions: { ...formatted.extensions, code: guardCode } } : formatted;
    },
    introspection: config.introspection,
    includeStacktraceInErrorResponses: config.env !== 'production',
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ operation, document, request, contextValue }) {
              assertComplexity(schema, document, request.operationName ?? undefined, request.variables, config.maxQueryComplexity);
              if (contextValue.authDisabled) return;
              if (!contextValue.principal && !(operation && isPublicOperation(operation, config.introspection))) throw unauthenticated(contextValue.authFailure);
              const limited = await rateLimit(contextValue, limits);
              if (limited) throw limited;
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

  app.use(requestLogging(log));
  app.use(healthRouter({ db: deps.db, temporal: deps.temporalConnection, namespace: config.temporalNamespace }));
  if (config.graphiql) app.use(graphiqlRouter(GRAPHQL_PATH));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '2mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const base = { requestId: res.locals.requestId as string, log: res.locals.log as Logger, services: deps.services, clientAddress: req.ip ?? req.socket.remoteAddress };
        if (config.authDisabled) return { ...base, principal: null, authDisabled: true };
        return { ...base, ...(await resolveAuthorization(deps.services, req.headers.authorization)) };
      },
    }),
  );

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
