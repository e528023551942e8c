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
import { useServer } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import type { Services } from '../services';
import type { GraphQLContext } from './context';
import { graphiqlRouter } from './graphiql';
import { healthRouter } from './health';
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
  const schema = await buildApiSchema();
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>, { requestId: string }>(
    {
      schema,
      context: (ctx): GraphQLContext => {
        const requestId = (ctx.extra as { requestId?: string }).requestId ?? randomUUID();
        return { requestId, log: log.child({ requestId }), services: deps.services, principal: null };
      },
      onConnect: (ctx) => {
        (ctx.extra as { requestId?: string }).requestId = randomUUID();
        return true;
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: config.env !== 'production',
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
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
      context: async ({ res }): Promise<GraphQLContext> => ({
        requestId: res.locals.requestId as string,
        log: res.locals.log as Logger,
        services: deps.services,
        principal: null,
      }),
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
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      await apollo.stop();
    },
  };
}
