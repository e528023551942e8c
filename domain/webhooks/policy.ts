/**
 * Delivery rules (pure): which responses end a delivery, how long to wait between attempts, and
 * the filters an endpoint puts on signals.
 */
import { isTickerSymbol } from '../tickers/symbol';

export type AttemptVerdict = 'delivered' | 'retry' | 'permanent';

/** 2xx delivers; 4xx other than 408 (request timeout) and 429 (too many requests) is permanent; the rest retry. */
export function classifyStatus(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'permanent';
  return 'retry';
}

export interface WebhookRetryOptions {
  /** First retry after this; each next one twice as long (exponential backoff). */
  initialIntervalMs: number;
  /** Longest wait between attempts (also the cap on a receiver's Retry-After). */
  maxIntervalMs: number;
  /** A delivery is given up this long after its first attempt (24 h by default). */
  maxAgeMs: number;
  /** Cap on one attempt: connect, request, response headers and the (capped) body. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: WebhookRetryOptions = { initialIntervalMs: 10_000, maxIntervalMs: 3_600_000, maxAgeMs: 24 * 3_600_000, attemptTimeoutMs: 10_000 };

/** The wait before attempt n+1 after attempt n failed (n >= 1), as Temporal's retry policy computes it. */
export function backoffMs(attempt: number, opts: Pick<WebhookRetryOptions, 'initialIntervalMs' | 'maxIntervalMs'>): number {
  return Math.min(opts.maxIntervalMs, opts.initialIntervalMs * 2 ** Math.max(0, attempt - 1));
}

/** A receiver's Retry-After (seconds) as the next wait: never below 1 s nor above the longest interval. */
export function retryAfterDelayMs(retryAfterSeconds: number | undefined, opts: Pick<WebhookRetryOptions, 'maxIntervalMs'>): number | undefined {
  if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds)) return undefined;
  return Math.min(opts.maxIntervalMs, Math.max(1000, retryAfterSeconds * 1000));
}

export interface SignalFilter {
  tickers: string[] | null;
  types: string[] | null;
  minConfidence: number;
}

export interface SignalSummary {
  ticker: string;
  type: string;
  confidence: number;
}

/** The same rule the fan-out query applies in SQL. */
export function signalMatches(filter: SignalFilter, signal: SignalSummary): boolean {
  if (filter.tickers && !filter.tickers.includes(signal.ticker)) return false;
  if (filter.types && !filter.types.includes(signal.type)) return false;
  return signal.confidence >= filter.minConfidence;
}

export const MAX_FILTER_TICKERS = 500;

/** Normalises a filter's tickers (trim, upper case, unique, sorted); throws a message naming the bad one. */
export function normaliseFilterTickers(raw: string[] | null | undefined): string[] | null {
  if (raw === null || raw === undefined) return null;
  const tickers = [...new Set(raw.map((t) => t.trim().toUpperCase()).filter(Boolean))].sort();
  if (tickers.length === 0) return null;
  if (tickers.length > MAX_FILTER_TICKERS) throw new Error(`at most ${MAX_FILTER_TICKERS} tickers per endpoint`);
  const bad = tickers.find((t) => !isTickerSymbol(t));
  if (bad) throw new Error(`ticker '${bad}' is not valid (1-10 characters A-Z, 0-9, '.' or '-', starting with a letter)`);
  return tickers;
}
