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
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import type { Services } from '../services';
import { serveMetrics } from '../observability/metrics-http';
import { createApiMetrics, renderMetrics, type ApiMetrics } from '../observability/metrics';
import { admissionLimits, createAdmission } from './admission';
import type { GraphQLContext } from './context';
import { graphiqlRouter } from './graphiql';
import { webAppRouter } from './web-app';
import { healthRouter } from './health';
import { metricsPlugin } from './metrics-plugin';
import { securityHeaders } from './browser';
import { formatError, httpStatusPlugin, noStorePlugin, jsonErrorHandler } from './http-errors';
import { expressClientAddress, fastGraphqlHandler, headersOf } from './http-graphql';
import { buildApiSchema } from './schema';
import { startSubscriptionsServer } from './subscriptions-server';
import { taskQueueName } from '../domain/task-queues';

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

  const admission = createAdmission({
    schema,
    services: deps.services,
    limits: admissionLimits(config),
    introspection: config.introspection,
    authDisabled: config.authDisabled,
    metrics,
  });
  const subscriptions = startSubscriptionsServer({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    admission,
    services: deps.services,
    log,
    metrics,
    corsOrigins: config.corsOrigins,
    authDisabled: config.authDisabled,
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: admission.validationRules,
    parseOptions: { maxTokens: admission.limits.document.maxTokens },
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
      admission.apolloPlugin(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await subscriptions.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

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
    express.json({ limit: admission.limits.httpBodyBytes }),
    admission.boundsMiddleware(),
    expressMiddleware(apollo, {
      context: ({ req, res }) => admission.httpContext(res.locals.requestId as string, () => res.locals.log as Logger, req.ip ?? req.socket.remoteAddress, req.headers.authorization),
    }),
    jsonErrorHandler(log),
  );
  // After /graphql, so GraphQL requests (nearly all traffic) skip these routers' matching.
  app.use(
    healthRouter({
      db: deps.db,
      temporal: deps.temporalConnection,
      namespace: config.temporalNamespace,
      // Each part is the task queue its work runs on, so the dashboard says which is down.
      parts: [
        { part: 'ingestion', taskQueue: taskQueueName(config.taskQueue, 'ingest') },
        { part: 'scoring', taskQueue: taskQueueName(config.taskQueue, 'scoring') },
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
    admission,
    corsOrigins: config.corsOrigins,
    staticHeaders: headersOf(helmetMiddleware),
    clientAddress: expressClientAddress(app),
    context: (req, requestId, requestLog, clientAddress) => admission.httpContext(requestId, requestLog, clientAddress, req.headers.authorization),
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
      subscriptions.close();
      await apollo.stop();
    },
  };
}
