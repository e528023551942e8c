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
import { countLoginAttempt, forgetLoginAttempts } from '../store/login-failure-store';
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
      await forgetLoginAttempts(this.db, attemptIds).catch(() => undefined);
      throw err;
    }
    if (user) {
      // Right password: this attempt was no failure, and the email's earlier typos are forgiven.
      await forgetLoginAttempts(this.db, attemptIds, keys[0]!.key);
    }
    return user;
  }

  /** Counts the attempt against every key, or throws RATE_LIMITED if any key is at its limit. */
  private async begin(keys: Array<{ key: string; limit: number }>): Promise<string[]> {
    const counted = await countLoginAttempt(this.db, keys, this.limits.windowSeconds);
    if ('retryAfterSeconds' in counted) {
      const retryAfter = counted.retryAfterSeconds;
      throw new ServiceError('RATE_LIMITED', `too many failed sign-ins for this email or from this address; retry in ${retryAfter} s`, { retryAfterSeconds: retryAfter });
    }
    return counted.attemptIds;
  }
}
