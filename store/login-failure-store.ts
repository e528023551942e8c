/** Failed sign-in attempts as stored (login_failures), counted per key in a sliding window. */
import type { DataSource } from 'typeorm';

/**
 * Counts one attempt against every key unless a key is at its limit within the window: then
 * nothing is counted and the answer is how long until the oldest counted failure leaves it.
 * One advisory lock per key, taken in a fixed order, so concurrent attempts count one by one.
 */
export async function countLoginAttempt(
  db: DataSource,
  keys: Array<{ key: string; limit: number }>,
  windowSeconds: number,
): Promise<{ attemptIds: string[] } | { retryAfterSeconds: number }> {
  const window = `${windowSeconds} seconds`;
  return db.transaction(async (tx) => {
    const sorted = [...keys].sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const { key } of sorted) await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [key]);
    // Expired rows of these keys, plus a few others, so the table stays the size of one window.
    await tx.query(
      `DELETE FROM login_failures WHERE id IN (
         SELECT id FROM login_failures WHERE failed_at < clock_timestamp() - $2::interval AND (key = ANY($1::text[]) OR id % 16 = 0) LIMIT 200)`,
      [keys.map((k) => k.key), window],
    );
    let retryAfter = 0;
    for (const { key, limit } of keys) {
      // The limit-th newest counted attempt: the next one is allowed once it leaves the window.
      const [row] = (await tx.query(
        `SELECT EXTRACT(EPOCH FROM (failed_at + $3::interval - clock_timestamp()))::float AS wait
           FROM login_failures WHERE key = $1 AND failed_at > clock_timestamp() - $3::interval
           ORDER BY failed_at DESC OFFSET ($2::int - 1) LIMIT 1`,
        [key, limit, window],
      )) as Array<{ wait: number }>;
      if (row) retryAfter = Math.max(retryAfter, Math.ceil(Number(row.wait)));
    }
    if (retryAfter > 0) return { retryAfterSeconds: retryAfter };
    const inserted = (await tx.query(`INSERT INTO login_failures (key) SELECT unnest($1::text[]) RETURNING id`, [keys.map((k) => k.key)])) as Array<{ id: string }>;
    return { attemptIds: inserted.map((r) => String(r.id)) };
  });
}

/** Forgets the given attempts, and with `key` every counted failure of that key. */
export async function forgetLoginAttempts(db: DataSource, attemptIds: string[], key?: string): Promise<void> {
  if (key === undefined) await db.query('DELETE FROM login_failures WHERE id = ANY($1::bigint[])', [attemptIds]);
  else await db.query('DELETE FROM login_failures WHERE id = ANY($1::bigint[]) OR key = $2', [attemptIds, key]);
}
