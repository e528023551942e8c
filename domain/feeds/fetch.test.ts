import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { FeedFetchError } from './errors';
import { parseDestinationPolicy } from '../net/destination-guard';
import { DEFAULT_USER_AGENT, fetchFeed as guardedFetchFeed, parseRetryAfter, type FetchFeedOptions } from './fetch';

// These servers listen on 127.0.0.1, which the SSRF guard refuses unless allow-listed.
const LOCAL = parseDestinationPolicy('127.0.0.1');
const fetchFeed = (url: string, opts: FetchFeedOptions = {}) => guardedFetchFeed(url, { destinationPolicy: LOCAL, ...opts });

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: http.Server;
let base: string;

// A fresh server (and so a fresh origin in undici's pool) per test: sockets a test aborted
// on purpose must not be handed to the next test.
beforeEach(async () => {
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function fetchError(url: string, opts: FetchFeedOptions = {}): Promise<FeedFetchError> {
  try {
    await fetchFeed(url, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(FeedFetchError);
    return err as FeedFetchError;
  }
  throw new Error('expected fetchFeed to fail');
}

describe('fetchFeed', () => {
  it('returns the body and validators, sending an identifying User-Agent', async () => {
    let seenUa: string | undefined;
    handler = (req, res) => {
      seenUa = req.headers['user-agent'];
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"', 'last-modified': 'Fri, 24 Jan 2025 11:00:00 GMT' });
      res.end(RSS);
    };
    const result = await fetchFeed(`${base}/feed`);
    expect(result).toEqual({
      status: 'ok',
      body: Buffer.from(RSS),
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Fri, 24 Jan 2025 11:00:00 GMT',
      finalUrl: `${base}/feed`,
    });
    expect(seenUa).toBe(DEFAULT_USER_AGENT);
  });

  it('sends If-None-Match / If-Modified-Since and maps 304 to not-modified', async () => {
    handler = (req, res) => {
      const fresh = req.headers['if-none-match'] === '"v1"' && req.headers['if-modified-since'] === 'Fri, 24 Jan 2025 11:00:00 GMT';
      if (fresh) {
        res.writeHead(304);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(RSS);
      }
    };
    await expect(fetchFeed(`${base}/feed`, { etag: '"v1"', lastModified: 'Fri, 24 Jan 2025 11:00:00 GMT' })).resolves.toEqual({
      status: 'not-modified',
    });
    await expect(fetchFeed(`${base}/feed`, { etag: '"old"' })).resolves.toMatchObject({ status: 'ok' });
  });

  it('follows relative redirects and reports the final URL', async () => {
    handler = (req, res) => {
      if (req.url === '/a') res.writeHead(301, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(302, { location: `${base}/c` }).end();
      else res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(RSS);
    };
    const result = await fetchFeed(`${base}/a`);
    expect(result).toMatchObject({ status: 'ok', finalUrl: `${base}/c` });
  });

  it('gives up after maxRedirects as a permanent error', async () => {
    let hits = 0;
    handler = (req, res) => {
      hits++;
      res.writeHead(302, { location: `/loop${hits}` }).end();
    };
    const err = await fetchError(`${base}/loop`, { maxRedirects: 3 });
    expect(err).toMatchObject({ code: 'TOO_MANY_REDIRECTS', kind: 'permanent' });
    expect(hits).toBe(4);
  });

  it('refuses redirects to non-http schemes', async () => {
    handler = (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    expect(await fetchError(`${base}/x`)).toMatchObject({ code: 'BAD_REDIRECT', kind: 'permanent' });
    expect(await fetchError('ftp://127.0.0.1/feed')).toMatchObject({ code: 'BAD_URL', kind: 'permanent' });
  });

  it('classifies 404/410 and other 4xx as permanent', async () => {
    handler = (req, res) => res.writeHead(req.url === '/gone' ? 410 : req.url === '/nf' ? 404 : 403).end('no');
    expect(await fetchError(`${base}/nf`)).toMatchObject({ code: 'NOT_FOUND', kind: 'permanent', httpStatus: 404 });
    expect(await fetchError(`${base}/gone`)).toMatchObject({ code: 'NOT_FOUND', kind: 'permanent', httpStatus: 410 });
    expect(await fetchError(`${base}/forbidden`)).toMatchObject({ code: 'HTTP_4XX', kind: 'permanent', httpStatus: 403 });
  });

  it('classifies 500 and 429/503 as transient with Retry-After in seconds or as a date', async () => {
    handler = (req, res) => {
      if (req.url === '/429') res.writeHead(429, { 'retry-after': '120' }).end();
      else if (req.url === '/503') res.writeHead(503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }).end();
      else res.writeHead(500).end('boom');
    };
    const e500 = await fetchError(`${base}/500`);
    expect(e500).toMatchObject({ code: 'HTTP_5XX', kind: 'transient', httpStatus: 500 });
    expect(e500.retryAfterSeconds).toBeUndefined();
    expect(await fetchError(`${base}/429`)).toMatchObject({ code: 'RATE_LIMITED', kind: 'transient', retryAfterSeconds: 120 });
    const e503 = await fetchError(`${base}/503`);
    expect(e503).toMatchObject({ code: 'HTTP_5XX', kind: 'transient' });
    expect(e503.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(e503.retryAfterSeconds).toBeLessThanOrEqual(61);
  });

  it('times out on a server that never answers', async () => {
    handler = () => undefined;
    const started = Date.now();
    expect(await fetchError(`${base}/hang`, { timeoutMs: 200 })).toMatchObject({ code: 'TIMEOUT', kind: 'transient' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out on a body that trickles past the total budget', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<rss>');
    };
    expect(await fetchError(`${base}/slow`, { timeoutMs: 200 })).toMatchObject({ code: 'TIMEOUT', kind: 'transient' });
  });

  it('rejects non-feed content types with a clear reason', async () => {
    handler = (req, res) =>
      res.writeHead(200, { 'content-type': req.url === '/json' ? 'application/json' : 'image/png' }).end('{}');
    const json = await fetchError(`${base}/json`);
    expect(json).toMatchObject({ code: 'BAD_CONTENT_TYPE', kind: 'permanent' });
    expect(json.message).toContain('application/json');
    expect(await fetchError(`${base}/png`)).toMatchObject({ code: 'BAD_CONTENT_TYPE' });
  });

  it('aborts a chunked >5 MB body early instead of buffering it all', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let finished = false;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const pump = () => {
        // Would send 50 MB if the client kept reading.
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        finished = true;
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    };
    const err = await fetchError(`${base}/huge`);
    expect(err).toMatchObject({ code: 'TOO_LARGE', kind: 'permanent' });
    expect(finished).toBe(false);
    expect(sent).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses a declared Content-Length over the cap before reading', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': String(6 * 1024 * 1024) });
      res.write('<rss>');
    };
    expect(await fetchError(`${base}/declared`)).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('caps the decompressed size: a gzip bomb (50 MB of zeros in ~50 KB) is TOO_LARGE', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    };
    expect(await fetchError(`${base}/bomb`)).toMatchObject({ code: 'TOO_LARGE', kind: 'permanent' });
  });

  it('classifies a refused connection as a transient network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await fetchError(`http://127.0.0.1:${port}/`)).toMatchObject({ code: 'NETWORK', kind: 'transient' });
  });
});

describe('fetchFeed destination guard (SSRF)', () => {
  const port = () => (server.address() as AddressInfo).port;
  let hits = 0;
  beforeEach(() => {
    hits = 0;
    handler = (_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);
    };
  });

  it('refuses loopback without an allow-list, and never connects', async () => {
    const err = await guardedFetchFeed(`${base}/feed`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REFUSED', kind: 'permanent' });
    expect((err as Error).message).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    expect(hits).toBe(0);
  });

  it('checks every redirect hop: an allowed feed cannot redirect to an internal address', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data/', `http://localhost:${port()}/feed`, `http://[::1]:${port()}/feed`, `http://127.0.0.2:${port()}/`, 'http://10.0.0.1/']) {
      handler = (req, res) => {
        hits++;
        res.writeHead(302, { location: target }).end();
      };
      const err = await fetchError(`${base}/start`);
      expect(err).toMatchObject({ code: 'REFUSED', kind: 'permanent' });
      expect(err.message).toContain(`redirect to `);
    }
    expect(hits).toBe(5); // only the allowed first hop was ever requested
  });

  it('checks the addresses a name resolves to at connect time, and connects to exactly the address checked', async () => {
    const calls: string[] = [];
    // A name whose DNS answer is loopback (e.g. a rebinding domain on its second answer).
    const toLoopback = async (host: string) => (calls.push(host), [{ address: '127.0.0.1', family: 4 }]);
    const portOnly = parseDestinationPolicy('', String(port()));
    const err = await guardedFetchFeed(`http://rebind.example:${port()}/feed`, { destinationPolicy: portOnly, resolve: toLoopback }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REFUSED', kind: 'permanent' });
    expect((err as Error).message).toBe(`refused: rebind.example is a loopback address; allow it with TIDINGS_FETCH_ALLOW_HOSTS if it is meant to be fetched`);
    expect(hits).toBe(0);
    // A name with a public and a private answer is refused as a whole.
    const mixed = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.1.1.1', family: 4 }];
    expect(await guardedFetchFeed(`http://mixed.example/`, { resolve: mixed }).catch((e: unknown) => e)).toMatchObject({ code: 'REFUSED' });
    // Allowed: the socket connects to the address our lookup checked (rebind.example has no real DNS).
    calls.length = 0;
    const ok = await guardedFetchFeed(`http://rebind.example:${port()}/feed`, { destinationPolicy: parseDestinationPolicy('127.0.0.1', String(port())), resolve: toLoopback });
    expect(ok).toMatchObject({ status: 'ok' });
    expect(calls).toEqual(['rebind.example']); // one resolution, used for both the check and the connect
    expect(hits).toBe(1);
  });

  it('lastError says "refused" whether or not anything listens on the port (no port scanning)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const open = await guardedFetchFeed(`${base}/feed`).catch((e: Error) => e.message);
    const shut = await guardedFetchFeed(`http://127.0.0.1:${closedPort}/feed`).catch((e: Error) => e.message);
    expect(open).toBe('refused: 127.0.0.1 is a loopback address; allow it with TIDINGS_FETCH_ALLOW_HOSTS if it is meant to be fetched');
    expect(shut).toBe(open);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates and ignores junk', () => {
    const now = new Date('2025-01-24T11:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Fri, 24 Jan 2025 11:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Fri, 24 Jan 2025 10:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
