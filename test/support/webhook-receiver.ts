/**
 * Local webhook receivers for tests and benchmarks: an HTTP server on 127.0.0.1 that verifies
 * each delivery's signature the way the README tells receivers to, records every request, and
 * deduplicates on the delivery id header. Each path answers through its own behaviour.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WEBHOOK_ID_HEADER } from '../../domain/webhooks';

export interface ReceivedRequest {
  path: string;
  deliveryId: string;
  body: string;
  json: { id: string; type: string; attempt: number; data: Record<string, unknown> };
  headers: http.IncomingHttpHeaders;
  verified: boolean;
  at: number;
}

/** What a path answers: a status (and headers), after an optional delay; `hold` never answers. */
export type Behaviour = (req: ReceivedRequest, nth: number) => { status: number; headers?: Record<string, string>; delayMs?: number; hold?: boolean };

export interface Receiver {
  url(path: string): string;
  /** Every request in arrival order (duplicates included). */
  requests: ReceivedRequest[];
  /** Requests on a path, duplicates included. */
  on(path: string): ReceivedRequest[];
  /** What a deduplicating receiver processed on a path: the first request per delivery id. */
  processed(path: string): ReceivedRequest[];
  setSecret(path: string, secret: string): void;
  behave(path: string, behaviour: Behaviour): void;
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const secrets = new Map<string, string>();
  const behaviours = new Map<string, Behaviour>();
  const seen = new Map<string, Set<string>>();
  const processed = new Map<string, ReceivedRequest[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = secrets.get(path);
      const verified = secret ? verifyWebhook({ secret, headers: req.headers, body }).ok : false;
      let json: ReceivedRequest['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = { id: '', type: '', attempt: 0, data: {} };
      }
      const entry: ReceivedRequest = { path, deliveryId: String(req.headers[WEBHOOK_ID_HEADER] ?? ''), body, json, headers: req.headers, verified, at: Date.now() };
      requests.push(entry);
      const nth = requests.filter((r) => r.path === path).length;
      const answer: ReturnType<Behaviour> = (behaviours.get(path) ?? (() => ({ status: 200 })))(entry, nth);
      if (answer.hold) return; // the connection stays open with no answer
      setTimeout(() => {
        if (answer.status >= 200 && answer.status < 300 && verified) {
          let ids = seen.get(path);
          if (!ids) seen.set(path, (ids = new Set()));
          if (!ids.has(entry.deliveryId)) {
            ids.add(entry.deliveryId);
            processed.set(path, [...(processed.get(path) ?? []), entry]);
          }
        }
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.status >= 400 ? 'nope' : 'ok');
      }, answer.delayMs ?? 0);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    on: (path) => requests.filter((r) => r.path === path),
    processed: (path) => processed.get(path) ?? [],
    setSecret: (path, secret) => void secrets.set(path, secret),
    behave: (path, behaviour) => void behaviours.set(path, behaviour),
    async waitFor(predicate, timeoutMs = 30_000, what = 'condition') {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
