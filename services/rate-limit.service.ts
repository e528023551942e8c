import type { DataSource } from 'typeorm';
import { takeTokens } from '../store/rate-limit-store';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Seconds until the bucket holds one whole token again (at least 1, so clients back off). */
export function retryAfterSeconds(available: number, perMinute: number): number {
  const perSecond = perMinute / 60;
  return Math.max(1, Math.ceil((1 - available) / perSecond));
}

/** Milliseconds until the bucket holds one whole token again: how long a denial is remembered. */
export function refillMs(available: number, perMinute: number): number {
  return Math.max(1, Math.ceil(((1 - available) / (perMinute / 60)) * 1000));
}

/** Requests answered by one database call at most; more wait for the next call. */
export const MAX_BATCH = 1000;

interface Waiter {
  resolve(decision: RateDecision): void;
  reject(err: unknown): void;
}

interface Local {
  /** Until when (epoch ms) the shared bucket cannot hold a whole token: deny without asking. */
  blockedUntil: number;
  waiting: Waiter[];
  busy: boolean;
}

/**
 * Token bucket per key, shared through PostgreSQL (tidings_take_tokens) so several API replicas
 * enforce one limit, and exact: a replica takes from the bucket exactly the tokens it hands out.
 *
 * Concurrent requests for one key share one database call: while a call is under way, later
 * requests queue, and the next call takes as many tokens as there are requests queued. A burst
 * of N requests costs a few calls, not N, and never more tokens than N. (Leasing tokens ahead,
 * as this did before, stranded unused tokens in one replica while another was refused, and
 * turned 50 concurrent requests into 50 leases of 30: a fresh 600/min key refused 29 of 50.)
 *
 * A denial is remembered until the bucket could hold a whole token again, so an abusive key
 * does not reach the database on every request.
 */
export class RateLimitService {
  private readonly local = new Map<string, Local>();

  constructor(private readonly db: DataSource) {}

  consume(bucketKey: string, perMinute: number): Promise<RateDecision> {
    const now = Date.now();
    let entry = this.local.get(bucketKey);
    if (!entry) this.local.set(bucketKey, (entry = { blockedUntil: 0, waiting: [], busy: false }));
    if (entry.blockedUntil > now) return Promise.resolve({ ok: false, retryAfterSeconds: Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000)) });
    const decision = new Promise<RateDecision>((resolve, reject) => entry.waiting.push({ resolve, reject }));
    if (!entry.busy) void this.drain(bucketKey, entry, perMinute);
    return decision;
  }

  private async drain(bucketKey: string, entry: Local, perMinute: number): Promise<void> {
    entry.busy = true;
    try {
      while (entry.waiting.length > 0) {
        const batch = entry.waiting.splice(0, MAX_BATCH);
        const now = Date.now();
        if (entry.blockedUntil > now) {
          const retry = Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000));
          for (const w of batch) w.resolve({ ok: false, retryAfterSeconds: retry });
          continue;
        }
        let granted: number;
        let available: number;
        try {
          ({ granted, available } = await takeTokens(this.db, bucketKey, perMinute, perMinute / 60, batch.length));
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        for (const w of batch.slice(0, granted)) w.resolve({ ok: true });
        if (granted < batch.length) {
          entry.blockedUntil = Date.now() + refillMs(available, perMinute);
          const retry = retryAfterSeconds(available, perMinute);
          for (const w of batch.slice(granted)) w.resolve({ ok: false, retryAfterSeconds: retry });
        }
      }
    } finally {
      entry.busy = false;
      // Keep the map to keys that are blocked or busy: an idle key costs nothing here.
      if (entry.waiting.length === 0 && entry.blockedUntil <= Date.now()) this.local.delete(bucketKey);
    }
  }

  /** Forget local denials (tests, or after a limit change). */
  resetLocal(): void {
    for (const [key, entry] of this.local) if (!entry.busy) this.local.delete(key);
  }
}
