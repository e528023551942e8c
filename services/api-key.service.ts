import type { DataSource } from 'typeorm';
import { parseApiKey, generateApiKey, secretMatches } from '../domain/access/key-format';
import { ServiceError } from './errors';
import { revokeApiKey, touchApiKey } from '../store/credential-store';
import { ApiKey, Role, User } from '../entities';

export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'inactive';

export interface Authenticated {
  apiKeyId: string;
  user: User;
  /** Epoch ms when the key stops working, or null. */
  expiresAt: number | null;
}

interface CachedKey {
  apiKeyId: string;
  secretHash: Buffer;
  expiresAt: number | null;
  revoked: boolean;
  user: User;
  fetchedAt: number;
}

/** Short enough that a revocation whose NOTIFY was missed still lands well within 5 s. */
export const KEY_CACHE_MS = 2000;
/** lastUsedAt is advisory; one write per key per minute keeps it cheap. */
export const LAST_USED_WRITE_MS = 60_000;

export class ApiKeyService {
  private readonly cache = new Map<string, CachedKey>();
  private readonly lastUsedWritten = new Map<string, number>();
  /** One database read per key however many requests find its cache entry stale at once. */
  private readonly inflight = new Map<string, Promise<ApiKey | null>>();

  constructor(private readonly db: DataSource) {}

  /** The only time the key exists outside the caller: returned here, never stored or logged. */
  async create(userId: string, name: string, expiresAt: Date | null): Promise<{ apiKey: ApiKey; key: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw new ServiceError('BAD_USER_INPUT', 'name must be 1-100 characters', { field: 'name' });
    if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
      throw new ServiceError('BAD_USER_INPUT', 'expiresAt must be in the future', { field: 'expiresAt' });
    }
    const { key, lookupId, secretHash } = generateApiKey();
    const repo = this.db.getRepository(ApiKey);
    const saved = await repo.save(repo.create({ userId, name: trimmed, lookupId, secretHash, expiresAt, revokedAt: null, lastUsedAt: null }));
    return { apiKey: await repo.findOneByOrFail({ id: saved.id }), key };
  }

  list(userId: string): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  /** Owners revoke their own keys, admins any; everyone is told on commit via NOTIFY. */
  async revoke(actor: { userId: string; role: Role }, id: string): Promise<ApiKey> {
    const repo = this.db.getRepository(ApiKey);
    const key = await repo.findOneBy({ id });
    if (!key || (key.userId !== actor.userId && actor.role !== Role.ADMIN)) throw new ServiceError('NOT_FOUND', `no API key ${id}`);
    await revokeApiKey(this.db, id);
    this.forget();
    return repo.findOneByOrFail({ id });
  }

  /** Called for CREDENTIALS_REVOKED events from any process. */
  forget(): void {
    this.cache.clear();
    // A read already under way may predate the revocation: let the next request read afresh.
    this.inflight.clear();
  }

  async authenticate(raw: string | null): Promise<Authenticated | AuthFailure> {
    if (!raw) return 'missing';
    const parsed = parseApiKey(raw);
    if (!parsed) return 'malformed';
    const now = Date.now();
    let entry = this.cache.get(parsed.lookupId);
    if (!entry || now - entry.fetchedAt > KEY_CACHE_MS) {
      let pending = this.inflight.get(parsed.lookupId);
      if (!pending) {
        pending = this.db.getRepository(ApiKey).findOne({ where: { lookupId: parsed.lookupId }, relations: { user: true } });
        this.inflight.set(parsed.lookupId, pending);
        const lookupId = parsed.lookupId;
        void pending.finally(() => this.inflight.delete(lookupId)).catch(() => undefined);
      }
      const row = await pending;
      if (!row || !row.user) {
        this.cache.delete(parsed.lookupId);
        return 'unknown';
      }
      entry = {
        apiKeyId: row.id,
        secretHash: row.secretHash,
        expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
        revoked: row.revokedAt !== null,
        user: row.user,
        fetchedAt: now,
      };
      this.cache.set(parsed.lookupId, entry);
    }
    if (!secretMatches(parsed.secret, entry.secretHash)) return 'unknown';
    if (entry.revoked) return 'revoked';
    if (entry.expiresAt !== null && entry.expiresAt <= now) return 'expired';
    if (!entry.user.active) return 'inactive';
    this.touch(entry.apiKeyId, now);
    return { apiKeyId: entry.apiKeyId, user: entry.user, expiresAt: entry.expiresAt };
  }

  private touch(apiKeyId: string, now: number): void {
    const last = this.lastUsedWritten.get(apiKeyId) ?? 0;
    if (now - last < LAST_USED_WRITE_MS) return;
    this.lastUsedWritten.set(apiKeyId, now);
    // Fire and forget: a lost lastUsedAt update must never fail or slow a request.
    touchApiKey(this.db, apiKeyId).catch(() => this.lastUsedWritten.delete(apiKeyId));
  }
}

export const AUTH_FAILURE_MESSAGES: Record<AuthFailure, string> = {
  missing: 'an API key is required: send "Authorization: Bearer <key>"',
  malformed: 'the API key is malformed',
  unknown: 'the API key is not valid',
  expired: 'the API key has expired',
  revoked: 'the API key has been revoked',
  inactive: 'the user owning this API key is deactivated',
};
