import { fetch, type Response } from 'undici';
import { checkUrl, STRICT_POLICY, type DestinationPolicy } from '../net/destination-guard';
import { guardedDispatcher, refusalIn, systemResolve, type Resolve } from '../net/guarded-dispatcher';
import { FeedFetchError } from './errors';

export const DEFAULT_USER_AGENT = 'TidingsBot/0.1 (+https://github.com/tidings)';

export interface FetchFeedOptions {
  /** Validators from the previous successful fetch, so unchanged feeds cost a 304 and no parse. */
  etag?: string | null;
  lastModified?: string | null;
  /** Total budget for connect + redirects + body, not per step: a trickling server cannot hold a worker. */
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /**
   * Where requests may go (SSRF guard): checked on the URL, on every redirect, and on every
   * address a host name resolves to, at connect time. Default: public addresses on 80/443 only.
   */
  destinationPolicy?: DestinationPolicy;
  /** Resolves a host name to every address (default dns.lookup, all: true); tests substitute one. */
  resolve?: Resolve;
  /** Accept header; default: feed types. Price sources ask for CSV. */
  accept?: string;
}

export type FetchResult =
  | { status: 'not-modified' }
  | {
      status: 'ok';
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** After redirects: the base for resolving relative links, and worth storing when it moved permanently. */
      finalUrl: string;
    };

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1';

export async function fetchFeed(url: string, options: FetchFeedOptions = {}): Promise<FetchResult> {
  const {
    etag,
    lastModified,
    timeoutMs = 10_000,
    maxBytes = 5 * 1024 * 1024,
    maxRedirects = 5,
    userAgent = DEFAULT_USER_AGENT,
    destinationPolicy = STRICT_POLICY,
    resolve = systemResolve,
    accept = ACCEPT,
  } = options;

  let currentUrl = checkHttpUrl(url, url, destinationPolicy);
  // One agent per fetch: every connection it opens resolves through the guarded lookup.
  const dispatcher = guardedDispatcher(destinationPolicy, resolve);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  try {
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = { 'user-agent': userAgent, accept };
      if (etag) headers['if-none-match'] = etag;
      if (lastModified) headers['if-modified-since'] = lastModified;

      let res: Response;
      try {
        res = await fetch(currentUrl, { headers, redirect: 'manual', signal: controller.signal, dispatcher });
      } catch (err) {
        throw classifyThrown(err, currentUrl, controller.signal, timeoutMs);
      }

      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await discard(res);
        const location = res.headers.get('location');
        if (!location) {
          throw new FeedFetchError('BAD_REDIRECT', `HTTP ${res.status} without a Location header`, {
            url: currentUrl,
            httpStatus: res.status,
          });
        }
        if (redirects >= maxRedirects) {
          throw new FeedFetchError('TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects`, {
            url: currentUrl,
            httpStatus: res.status,
          });
        }
        currentUrl = checkHttpUrl(location, currentUrl, destinationPolicy);
        continue;
      }

      if (res.status === 304) {
        await discard(res);
        return { status: 'not-modified' };
      }
      if (res.status < 200 || res.status >= 300) {
        await discard(res);
        throw httpStatusError(res, currentUrl);
      }

      const contentType = res.headers.get('content-type');
      const rejection = contentTypeRejection(contentType);
      if (rejection) {
        await discard(res);
        throw new FeedFetchError('BAD_CONTENT_TYPE', rejection, { url: currentUrl, httpStatus: res.status });
      }

      const declaredLength = Number(res.headers.get('content-length'));
      if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
        await discard(res);
        throw tooLarge(currentUrl, maxBytes, `Content-Length ${declaredLength}`);
      }

      let body: Buffer;
      try {
        body = await readCapped(res, maxBytes, currentUrl);
      } catch (err) {
        if (err instanceof FeedFetchError) throw err;
        throw classifyThrown(err, currentUrl, controller.signal, timeoutMs);
      }
      return {
        status: 'ok',
        body,
        contentType,
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
        finalUrl: currentUrl,
      };
    }
  } finally {
    clearTimeout(timer);
    void dispatcher.destroy().catch(() => undefined);
  }
}

function checkHttpUrl(raw: string, base: string, policy: DestinationPolicy): string {
  let parsed: URL;
  try {
    parsed = new URL(raw, base);
  } catch {
    throw new FeedFetchError('BAD_URL', `not a valid URL: ${raw}`, { url: base });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    // Redirects to file:, ftp: or data: are how a feed URL gets turned against the worker itself.
    throw new FeedFetchError(raw === base ? 'BAD_URL' : 'BAD_REDIRECT', `only http and https are fetched, got ${parsed.protocol}`, {
      url: base,
    });
  }
  const refusal = checkUrl(parsed, policy);
  if (refusal) {
    const message = raw === base ? refusal.reason : `redirect to ${parsed.href} ${refusal.reason}`;
    throw new FeedFetchError('REFUSED', message, { url: base });
  }
  return parsed.href;
}

/** Reads the body chunk by chunk and stops at the cap, so a 50 MB body never sits in memory. */
async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes, `more than ${maxBytes} bytes received`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(url: string, maxBytes: number, detail: string): FeedFetchError {
  return new FeedFetchError('TOO_LARGE', `feed body exceeds the ${maxBytes}-byte cap (${detail})`, { url });
}

async function discard(res: Response): Promise<void> {
  // Cancelling frees the pooled connection instead of leaving it waiting for a reader.
  await res.body?.cancel().catch(() => undefined);
}

/** Feeds are served under many labels (text/html, octet-stream) by misconfigured hosts; only clearly wrong types are refused. */
export function contentTypeRejection(contentType: string | null): string | null {
  if (!contentType) return null;
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  if (!mime) return null;
  if (mime.startsWith('text/')) return null;
  if (/xml|rss|atom|rdf/.test(mime)) return null;
  if (mime === 'application/octet-stream') return null;
  return `content type ${mime} is not a feed (expected XML, RSS, Atom or text)`;
}

function httpStatusError(res: Response, url: string): FeedFetchError {
  const status = res.status;
  const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
  const extra = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  if (status === 429) {
    return new FeedFetchError('RATE_LIMITED', 'HTTP 429 Too Many Requests', { url, httpStatus: status, ...extra });
  }
  if (status >= 500) {
    return new FeedFetchError('HTTP_5XX', `HTTP ${status}`, {
      url,
      httpStatus: status,
      ...(status === 503 ? extra : {}),
    });
  }
  if (status === 404 || status === 410) {
    return new FeedFetchError('NOT_FOUND', `HTTP ${status}`, { url, httpStatus: status });
  }
  // 408 is the server saying it gave up waiting on us: worth another try, unlike the other 4xx.
  return new FeedFetchError('HTTP_4XX', `HTTP ${status}`, {
    url,
    httpStatus: status,
    kind: status === 408 ? 'transient' : 'permanent',
  });
}

/** Retry-After is either delta-seconds or an HTTP date; both become whole seconds from now. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function classifyThrown(err: unknown, url: string, signal: AbortSignal, timeoutMs: number): FeedFetchError {
  // Refused at connect time: say so, and nothing about what (if anything) listens there.
  const refused = refusalIn(err);
  if (refused) return new FeedFetchError('REFUSED', refused.message, { url });
  if (signal.aborted) {
    return new FeedFetchError('TIMEOUT', `no complete response within ${timeoutMs} ms`, { url, cause: err });
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  return new FeedFetchError('NETWORK', `network error: ${detail}`, { url, cause: err });
}
