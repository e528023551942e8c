import type { DataSource } from 'typeorm';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * How many tokens a replica takes from the shared bucket at once: about 5% of a minute's
 * allowance, so a busy key costs one database call per batch, while a replica can hold back at
 * most that many tokens from the others.
 */
export function leaseSize(perMinute: number): number {
  return Math.max(1, Math.min(100, Math.floor(perMinute / 20)));
}

/** Seconds until the bucket holds one whole token again (at least 1, so clients back off). */
export function retryAfterSeconds(available: number, perMinute: number): number {
  const perSecond = perMinute / 60;
  return Math.max(1, Math.ceil((1 - available) / perSecond));
}

interface Local {
  tokens: number;
  blockedUntil: number;
}

/**
 * Token bucket per key, shared through PostgreSQL (tidings_take_tokens) so several API replicas
 * enforce one limit. Each replica keeps a small local lease of tokens and remembers a denial
 * until the bucket could have refilled, so neither busy nor abusive keys hit the database on
 * every request.
 */
export class RateLimitService {
  private readonly local = new Map<string, Local>();

  constructor(private readonly db: DataSource) {}

  async consume(bucketKey: string, perMinute: number): Promise<RateDecision> {
    const now = Date.now();
    let entry = this.local.get(bucketKey);
    if (!entry) this.local.set(bucketKey, (entry = { tokens: 0, blockedUntil: 0 }));
    if (entry.tokens >= 1) {
      entry.tokens -= 1;
      return { ok: true };
    }
    if (entry.blockedUntil > now) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000)) };
    const rows: Array<{ granted: number; available: number }> = await this.db.query(
      'SELECT granted, available FROM tidings_take_tokens($1, $2, $3, $4)',
      [bucketKey, perMinute, perMinute / 60, leaseSize(perMinute)],
    );
    const { granted, available } = rows[0];
    if (granted >= 1) {
      entry.tokens += granted - 1;
      return { ok: true };
    }
    const retry = retryAfterSeconds(Number(available), perMinute);
    entry.blockedUntil = now + retry * 1000;
    return { ok: false, retryAfterSeconds: retry };
  }

  /** Forget local leases and denials (tests, or after a limit change). */
  resetLocal(): void {
    this.local.clear();
  }
}
