/** Shared token buckets (tidings_take_tokens, migration 1763900000000-rate-limit-buckets). */
import type { DataSource } from 'typeorm';

/**
 * One bucket call, committed without waiting for the WAL flush (synchronous_commit off for this
 * statement's transaction only; PostgreSQL decides per transaction at commit). Every request
 * waits for this call, and a flush to disk cost it several milliseconds more, on every batch
 * (`npm run bench -- graphql`). Other sessions see the new token count as soon as it commits,
 * so the limit is as exact across replicas as before; only a database crash could forget the
 * last fraction of a second of taken tokens, handing them out again.
 */
export const TAKE_TOKENS_SQL = `SELECT t.granted, t.available FROM tidings_take_tokens($1, $2, $3, $4) t, set_config('synchronous_commit', 'off', true)`;

/** Takes up to `wanted` tokens from the bucket (capacity, refill per second); what was granted and what is left. */
export async function takeTokens(db: DataSource, key: string, capacity: number, refillPerSecond: number, wanted: number): Promise<{ granted: number; available: number }> {
  const rows: Array<{ granted: number; available: number }> = await db.query(TAKE_TOKENS_SQL, [key, capacity, refillPerSecond, wanted]);
  return { granted: Number(rows[0].granted), available: Number(rows[0].available) };
}
