/**
 * Serving /metrics: who may read it, and a small HTTP server for processes without one (the
 * worker). Requests from a loopback address are always served; others need
 * `Authorization: Bearer <METRICS_TOKEN>`, and are refused outright (403) when no token is set.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE } from './metrics';

export type MetricsAccess = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** 127.0.0.0/8, ::1, and their IPv4-mapped IPv6 forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  // Compare digests so neither the length nor the content leaks through timing.
  return !!match && timingSafeEqual(digest(match[1].trim()), digest(token));
}

export function metricsAccess(remoteAddress: string | undefined, authorization: string | undefined, token: string | undefined): MetricsAccess {
  if (isLoopback(remoteAddress)) return { ok: true };
  if (!token) return { ok: false, status: 403, message: 'metrics are served to loopback only; set METRICS_TOKEN to allow remote scrapes' };
  if (bearerMatches(authorization, token)) return { ok: true };
  return { ok: false, status: 401, message: 'send "Authorization: Bearer <METRICS_TOKEN>"' };
}

/** Answers one /metrics request: access check, then the exposition text. */
export async function serveMetrics(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: { token: string | undefined; render: () => Promise<string> },
): Promise<void> {
  const access = metricsAccess(req.socket.remoteAddress, req.headers.authorization, opts.token);
  if (!access.ok) {
    if (access.status === 401) res.setHeader('www-authenticate', 'Bearer realm="metrics"');
    res.writeHead(access.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${access.message}\n`);
    return;
  }
  try {
    const text = await opts.render();
    res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** GET /metrics on its own port (the worker's); everything else is 404. */
export async function startMetricsServer(opts: { host: string; port: number; token: string | undefined; render: () => Promise<string> }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') return void serveMetrics(req, res, opts);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; metrics are at /metrics\n');
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus' scrape interval, so scrapes reuse the connection
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
