/**
 * A real API and (optionally) a real worker in the test process, wired to the PostgreSQL and
 * Temporal that globalSetup started. Each stack gets its own task queue so test files running
 * side by side never pick up each other's workflows.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { loadConfig, type AppConfig } from '../../config/config';
import { createLogger, type Logger } from '../../config/logger';
import { startApiProcess, type RunningApi } from '../../runtime/api-process';
import { startWorkerProcess, type RunningWorker } from '../../runtime/worker-process';

export function testEnv() {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!databaseUrl || !temporalAddress) throw new Error('integration tests need test/global-setup.ts (run them with jest)');
  return { databaseUrl, temporalAddress, workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE };
}

/** Every log line the stack writes, for assertions (request ids, no secrets). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestStack {
  config: AppConfig;
  api: RunningApi;
  worker?: RunningWorker;
  logs: LogCapture;
  log: Logger;
  graphqlUrl: string;
  wsUrl: string;
  /** The loopback address this stack's gql() requests come from (see randomLoopbackAddress). */
  clientAddress: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  ws(connectionParams?: Record<string, unknown>): WsClient;
  stop(): Promise<void>;
}

export interface GqlResult<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  headers: Headers;
}

/**
 * A random address in 127.0.0.0/8 (all of it is loopback on Linux). Each stack sends its HTTP
 * requests from its own, so per-client-address throttles (the password exchange counts failures
 * per address) in one test file never lock out another running against the same database.
 */
export function randomLoopbackAddress(): string {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  return `127.${octet()}.${octet()}.${octet()}`;
}

/** A fetch whose connections come from `localAddress`; close() frees its sockets. */
export function fetchFrom(localAddress: string) {
  const dispatcher = new Agent({ localAddress });
  return {
    fetch: (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => undiciFetch(url, { ...init, dispatcher }),
    close: () => dispatcher.close(),
  };
}

export async function startTestStack(opts: { worker?: boolean; env?: Record<string, string> } = {}): Promise<TestStack> {
  const env = testEnv();
  const config: AppConfig = {
    ...loadConfig({ NODE_ENV: 'test', TIDINGS_RETAG_ON_UNIVERSE_CHANGE: 'off', ...opts.env }),
    port: 0,
    host: '127.0.0.1',
    taskQueue: `test-${randomUUID()}`,
  };
  const logs = new LogCapture();
  const log = createLogger({ level: 'debug', destination: logs });
  const target = { databaseUrl: env.databaseUrl, temporalAddress: env.temporalAddress, fromEnv: true, migrate: false };
  const worker = opts.worker ? await startWorkerProcess(config, log, { ...target, workflowBundlePath: env.workflowBundlePath }) : undefined;
  const api = await startApiProcess(config, log, target);
  const graphqlUrl = api.server.graphqlUrl;
  const wsUrl = graphqlUrl.replace(/^http/, 'ws');
  const sockets: WsClient[] = [];
  const clientAddress = randomLoopbackAddress();
  const client = fetchFrom(clientAddress);
  return {
    config,
    api,
    worker,
    logs,
    log,
    graphqlUrl,
    wsUrl,
    clientAddress,
    async gql(query, variables, headers) {
      const res = await client.fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: never; errors?: never };
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers as unknown as Headers };
    },
    ws(connectionParams) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, lazy: true, retryAttempts: 0 });
      sockets.push(client);
      return client;
    },
    async stop() {
      await Promise.all(sockets.map((s) => s.dispose()));
      await api.stop();
      await worker?.stop();
      await client.close();
    },
  };
}

/** Collects events from a graphql-ws subscription; `next(predicate)` waits for a matching one. */
export function subscribe<T>(client: WsClient, query: string, variables?: Record<string, unknown>) {
  const received: Array<{ data?: T; errors?: unknown }> = [];
  const waiters: Array<{ match: (e: { data?: T; errors?: unknown }) => boolean; resolve: (e: { data?: T; errors?: unknown }) => void }> = [];
  let completion: { error?: unknown } | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        const event = value as { data?: T; errors?: unknown };
        received.push(event);
        for (const w of [...waiters]) {
          if (w.match(event)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      },
      error: (error) => {
        completion = { error };
        resolveDone();
      },
      complete: () => {
        completion = {};
        resolveDone();
      },
    },
  );
  return {
    received,
    done,
    completion: () => completion,
    next(match: (e: { data?: T; errors?: unknown }) => boolean = () => true, timeoutMs = 30_000) {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise<{ data?: T; errors?: unknown }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching subscription event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    dispose,
  };
}
