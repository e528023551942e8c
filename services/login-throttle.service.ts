/**
 * Throttles the password exchange (createApiKeyWithPassword), the one operation that needs no
 * key and costs a bcrypt compare: at most `perEmail` failures for one email, or `perAddress`
 * from one client address, within the window; after that RATE_LIMITED with retryAfterSeconds
 * until the oldest counted failure leaves the window. Failures live in PostgreSQL
 * (login_failures) so every API replica counts the same ones.
 *
 * An attempt is counted when it starts (under an advisory lock per key, so concurrent attempts
 * cannot all slip under the limit) and uncounted if the password was right. Emails are stored
 * only as a hash. Unknown emails are counted exactly like known ones, so the throttle tells an
 * attacker nothing about which emails exist.
 */
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import type { User } from '../entities';
import type { UserService } from './user.service';

export interface LoginThrottleLimits {
  perEmail: number;
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = { perEmail: 10, perAddress: 30, windowSeconds: 15 * 60 };

const emailKey = (email: string) => `email:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
const addressKey = (address: string) => `addr:${address.replace(/^::ffff:/, '')}`;

export class LoginThrottleService {
  constructor(
    private readonly db: DataSource,
    private readonly users: UserService,
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /**
   * The active user with this email and password, or null (wrong password, unknown email,
   * deactivated user); throws RATE_LIMITED, before any bcrypt work, when a limit is reached.
   */
  async verify(email: string, password: string, clientAddress: string | null): Promise<User | null> {
    const keys = [{ key: emailKey(email), limit: this.limits.perEmail }];
    if (clientAddress) keys.push({ key: addressKey(clientAddress), limit: this.limits.perAddress });
    const attemptIds = await this.begin(keys);
    let user: User | null;
    try {
      user = await this.users.verifyPassword(email, password);
    } catch (err) {
      // Not an answer about the password (bcrypt busy, database trouble): not a failure either.
      await this.db.query('DELETE FROM login_failures WHERE id = ANY($1::bigint[])', [attemptIds]).catch(() => undefined);
      throw err;
    }
    if (user) {
      // Right password: this attempt was no failure, and the email's earlier typos are forgiven.
      await this.db.query('DELETE FROM login_failures WHERE id = ANY($1::bigint[]) OR key = $2', [attemptIds, keys[0]!.key]);
    }
    return user;
  }

  /** Counts the attempt against every key, or throws RATE_LIMITED if any key is at its limit. */
  private async begin(keys: Array<{ key: string; limit: number }>): Promise<string[]> {
    const window = `${this.limits.windowSeconds} seconds`;
    return this.db.transaction(async (tx) => {
      // One lock per key, taken in a fixed order: concurrent attempts on a key count one by one.
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
      if (retryAfter > 0) {
        throw new ServiceError('RATE_LIMITED', `too many failed sign-ins for this email or from this address; retry in ${retryAfter} s`, { retryAfterSeconds: retryAfter });
      }
      const inserted = (await tx.query(`INSERT INTO login_failures (key) SELECT unnest($1::text[]) RETURNING id`, [keys.map((k) => k.key)])) as Array<{ id: string }>;
      return inserted.map((r) => String(r.id));
    });
  }
}
