/**
 * POST /graphql without Express: nearly all API traffic is one JSON POST to one path, and the
 * Express chain in front of Apollo (router matching, body-parser, helmet and cors evaluated per
 * request, a pino child logger per request) cost more CPU than many documents' execution. This
 * handler does what that chain did, in one function, and calls
 * `apollo.executeHTTPGraphQLRequest` directly (as @apollo/server/standalone does):
 *   - the request id (the caller's sane X-Request-Id or a new UUID) on the response and the
 *     request log line, and tidings_http_responses_total{route="/graphql"};
 *   - the helmet headers (computed once from the same helmet configuration) and, with a CORS
 *     allow-list, the `Vary: Origin` cors adds to a request without an Origin;
 *   - body-parser's JSON rules (strict: an object or array; empty body = {}; 2 MB; malformed
 *     JSON = 400 BAD_REQUEST in the GraphQL-style JSON error body);
 *   - admission's document bounds (QUERY_TOO_LARGE, 400) before Apollo parses (api/admission.ts);
 *   - the client address as Express's req.ip computes it (trust proxy).
 * Anything it is not sure to handle identically (another method or path, a query string, a
 * content type other than plain JSON in UTF-8, a compressed or chunked body, a browser Origin
 * with a CORS allow-list) goes to Express unchanged (`eligible` false).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import type { Logger } from '../config/logger';
import type { ApiMetrics } from '../observability/metrics';
import type { GraphQLContext } from './context';
import { GRAPHQL_BODY_LIMIT_BYTES, type Admission } from './admission';
import { errorSummary } from './http-errors';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
/** body-parser's strict mode: the first non-blank character must open an object or array. */
const FIRST_CHAR = /^[ \t\n\r]*([^ \t\n\r])/;

export interface FastGraphqlOptions {
  path: string;
  apollo: ApolloServer<GraphQLContext>;
  log: Logger;
  metrics: Pick<ApiMetrics, 'httpResponse'>;
  /** Step 1 of admission (the document's bounds) runs here; Apollo's plugin runs the rest. */
  admission: Pick<Admission, 'boundsRefusal'>;
  corsOrigins: string[];
  /** Headers every response of the Express chain carries (helmet's), as [name, value]. */
  staticHeaders: Array<[string, string]>;
  /** The client address as Express's req.ip gives it (trust proxy applied). */
  clientAddress(req: IncomingMessage): string | undefined;
  /** Builds the GraphQL context (auth); may throw a GraphQLError carrying its HTTP status. */
  context(req: IncomingMessage, requestId: string, log: () => Logger, clientAddress: string | undefined): Promise<GraphQLContext>;
}

/** The helmet middleware's headers, computed once by running it against a recording response. */
export function headersOf(middleware: (req: never, res: never, next: (err?: unknown) => void) => void): Array<[string, string]> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => void headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let called = false;
  middleware({ headers: {}, method: 'POST', url: '/' } as never, res as never, (err) => {
    if (err) throw err;
    called = true;
  });
  if (!called) throw new Error('the header middleware did not finish synchronously');
  return [...headers];
}

/** Express's req.ip for a plain request: the `ip` getter of Express's request prototype, with this app's trust proxy. */
export function expressClientAddress(app: express.Express): (req: IncomingMessage) => string | undefined {
  const getter = Object.getOwnPropertyDescriptor(express.request, 'ip')!.get!;
  return (req) => (getter.call({ app, headers: req.headers, socket: req.socket, connection: req.socket }) as string | undefined) ?? req.socket.remoteAddress;
}

export function fastGraphqlHandler(opts: FastGraphqlOptions) {
  const { path, apollo, log, metrics, admission, corsOrigins, staticHeaders } = opts;
  const vary = corsOrigins.length > 0;

  /** True when this handler answers exactly as the Express chain would. */
  function eligible(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || req.url !== path) return false;
    const h = req.headers;
    if (vary && h.origin !== undefined) return false;
    if (h['content-encoding'] !== undefined && h['content-encoding'] !== 'identity') return false;
    if (h['transfer-encoding'] !== undefined) return false;
    const length = h['content-length'];
    if (length === undefined || !(Number(length) <= GRAPHQL_BODY_LIMIT_BYTES)) return false;
    const type = h['content-type'];
    return type !== undefined && PLAIN_JSON.test(type);
  }

  function send(res: ServerResponse, status: number, headers: Iterable<[string, string]>, body: string) {
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.statusCode = status;
    res.end(body);
  }

  function sendError(res: ServerResponse, status: number, message: string, code: string) {
    send(res, status, [['content-type', 'application/json; charset=utf-8']], JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  }

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string, requestId: string, requestLog: () => Logger) {
    let body: unknown;
    if (raw.length === 0) body = {};
    else {
      const first = FIRST_CHAR.exec(raw)?.[1];
      try {
        if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
        body = JSON.parse(raw);
      } catch {
        return sendError(res, 400, 'the request body is not valid JSON', 'BAD_REQUEST');
      }
    }
    const query = body && !Array.isArray(body) ? (body as { query?: unknown }).query : undefined;
    const refusal = admission.boundsRefusal(query, req.headers.accept);
    if (refusal) return send(res, refusal.status, [['content-type', refusal.contentType]], refusal.body);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const clientAddress = opts.clientAddress(req);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: () => opts.context(req, requestId, requestLog, clientAddress),
    });
    const status = response.status ?? 200;
    if (response.body.kind === 'complete') return send(res, status, response.headers, response.body.string);
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = status;
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    // A child logger only when something logs for this request (most requests log one line).
    let child: Logger | undefined;
    const requestLog = () => (child ??= log.child({ requestId }));
    res.once('finish', () => {
      metrics.httpResponse(path, res.statusCode);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: 'POST', path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (child) child.info(line, 'request');
      else log.info({ requestId, ...line }, 'request');
    });
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of staticHeaders) res.setHeader(name, value);
    if (vary) res.setHeader('vary', 'Origin');

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GRAPHQL_BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > GRAPHQL_BODY_LIMIT_BYTES) return sendError(res, 413, 'the request body is too large', 'BAD_REQUEST');
      let raw = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1); // body-parser's decoder drops a BOM
      answer(req, res, raw, requestId, requestLog).catch((err: unknown) => {
        requestLog().error({ error: errorSummary(err) }, 'unexpected error before GraphQL');
        if (res.headersSent) res.destroy();
        else sendError(res, 500, 'internal error (logged on the server)', 'INTERNAL_SERVER_ERROR');
      });
    });
  }

  return { eligible, handle };
}
