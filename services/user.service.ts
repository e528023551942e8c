import os from 'node:os';
import bcrypt from 'bcrypt';
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { deactivateUser, insertUser } from '../store/credential-store';
import { Role, User } from '../entities';

export const BCRYPT_COST = 12;
/** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so refuse them. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_CHARS = 10;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e)) throw new ServiceError('BAD_USER_INPUT', 'email must look like name@example.com', { field: 'email' });
  return e;
}

export function assertPasswordAcceptable(password: string): void {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new ServiceError('BAD_USER_INPUT', `password must be at most ${MAX_PASSWORD_BYTES} bytes (UTF-8); longer ones cannot be hashed without truncation`, { field: 'password' });
  }
  if ([...password].length < MIN_PASSWORD_CHARS) {
    throw new ServiceError('BAD_USER_INPUT', `password must be at least ${MIN_PASSWORD_CHARS} characters`, { field: 'password' });
  }
}

/**
 * bcrypt at cost 12 holds a core for ~180 ms. At most half the cores' worth run at once per
 * process (the rest queue), so password traffic cannot take every core from the API; past MAX_BCRYPT_QUEUE
 * waiting, callers are told to come back (RATE_LIMITED) instead of queueing without bound.
 */
export const MAX_CONCURRENT_BCRYPT = Math.max(1, Math.floor(os.availableParallelism() / 2));
export const MAX_BCRYPT_QUEUE = 64;

class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(
    private readonly slots: number,
    private readonly maxQueue: number,
  ) {}
  get inUse(): number {
    return this.active;
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) {
      if (this.queue.length >= this.maxQueue) {
        throw new ServiceError('RATE_LIMITED', 'too many password checks under way; retry in 1 s', { retryAfterSeconds: 1 });
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.active--;
    }
  }
}

export const bcryptSlots = new Semaphore(MAX_CONCURRENT_BCRYPT, MAX_BCRYPT_QUEUE);

// Compared against when the email is unknown, so a miss costs as long as a wrong password.
let dummyHash: Promise<string> | null = null;
const dummy = () => (dummyHash ??= bcrypt.hash('tidings-dummy-password', BCRYPT_COST));

export class UserService {
  constructor(
    private readonly db: DataSource,
    /** Drops this process's cached key lookups at once; other processes hear it via NOTIFY. */
    private readonly onCredentialsChanged: () => void = () => undefined,
  ) {}

  async create(email: string, password: string, role: Role): Promise<User> {
    const normalised = normaliseEmail(email);
    assertPasswordAcceptable(password);
    const passwordHash = await bcryptSlots.run(() => bcrypt.hash(password, BCRYPT_COST));
    const repo = this.db.getRepository(User);
    const id = await insertUser(this.db, normalised, passwordHash, role);
    if (id === null) throw new ServiceError('CONFLICT', `a user with email ${normalised} already exists`, { field: 'email' });
    return repo.findOneByOrFail({ id });
  }

  /** The active user with this email and password, or null; the same work either way. */
  async verifyPassword(email: string, password: string): Promise<User | null> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return null;
    const user = await this.db.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
    const hash = user?.passwordHash ?? (await dummy());
    const ok = await bcryptSlots.run(() => bcrypt.compare(password, hash));
    return ok && user && user.active ? user : null;
  }

  find(id: string): Promise<User | null> {
    return this.db.getRepository(User).findOneBy({ id });
  }

  /** Every user, newest first (the operator dashboard's list). */
  list(limit = 500): Promise<User[]> {
    return this.db.getRepository(User).find({ order: { createdAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 500) });
  }

  async adminExists(): Promise<boolean> {
    return (await this.db.getRepository(User).countBy({ role: Role.ADMIN, active: true })) > 0;
  }

  /** Deactivates and tells every API process (NOTIFY on commit) to drop the user's sockets. */
  async deactivate(id: string): Promise<User> {
    if (!(await deactivateUser(this.db, id))) throw new ServiceError('NOT_FOUND', `no user ${id}`);
    this.onCredentialsChanged();
    return this.db.getRepository(User).findOneByOrFail({ id });
  }
}
