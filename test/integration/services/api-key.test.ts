/**
 * ApiKeyService's rules against the real PostgreSQL, through store/credential-store: name and
 * expiry validation, owner-or-admin revocation (others see NOT_FOUND), and how authenticate
 * tells a good key from a malformed, unknown, revoked or inactive one.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { Role } from '../../../entities';
import { ApiKeyService } from '../../../services/api-key.service';
import { UserService } from '../../../services/user.service';
import { testEnv } from '../../support/stack';

describe('ApiKeyService', () => {
  let db: DataSource;
  let keys: ApiKeyService;
  let users: UserService;
  const newUser = (role = Role.USER) => users.create(`key-${randomUUID()}@example.test`, `pw-${randomUUID()}`, role);

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    keys = new ApiKeyService(db);
    users = new UserService(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it.each(['', '   ', 'n'.repeat(101)])('refuses the key name %p as BAD_USER_INPUT on field name, storing no key', async (name) => {
    const user = await newUser();
    await expect(keys.create(user.id, name, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(await keys.list(user.id)).toEqual([]);
  });

  it('refuses an expiry in the past or an invalid date', async () => {
    const user = await newUser();
    await expect(keys.create(user.id, 'old', new Date(Date.now() - 1000))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    await expect(keys.create(user.id, 'bad', new Date('not a date'))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    expect(await keys.list(user.id)).toEqual([]);
  });

  it('creates a key with a trimmed name whose secret is returned once and never stored in clear', async () => {
    const user = await newUser();
    const { apiKey, key } = await keys.create(user.id, '  laptop  ', null);
    expect(apiKey.name).toBe('laptop');
    const [row] = (await db.query(`SELECT * FROM api_keys WHERE id = $1`, [apiKey.id])) as Array<Record<string, unknown>>;
    expect(JSON.stringify(row)).not.toContain(key);
    const auth = await keys.authenticate(key);
    expect(auth).toMatchObject({ apiKeyId: apiKey.id, user: { id: user.id }, expiresAt: null });
  });

  it('answers missing, malformed and unknown for keys that are not ones it issued', async () => {
    const user = await newUser();
    const { key } = await keys.create(user.id, 'real', null);
    expect(await keys.authenticate(null)).toBe('missing');
    expect(await keys.authenticate('not-a-key')).toBe('malformed');
    // Same lookup id, different secret: unknown, not a hint that the id exists.
    const tampered = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await keys.authenticate(tampered)).toBe('unknown');
  });

  it('lets only the owner or an admin revoke; anyone else is told NOT_FOUND and the key keeps working', async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const admin = await newUser(Role.ADMIN);
    const { apiKey, key } = await keys.create(owner.id, 'to revoke', null);
    await expect(keys.revoke({ userId: stranger.id, role: Role.USER }, apiKey.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await keys.authenticate(key)).toMatchObject({ apiKeyId: apiKey.id });
    const revoked = await keys.revoke({ userId: admin.id, role: Role.ADMIN }, apiKey.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await keys.authenticate(key)).toBe('revoked');
    await expect(keys.revoke({ userId: owner.id, role: Role.USER }, randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses the key of a deactivated user as inactive', async () => {
    const user = await newUser();
    const { key } = await keys.create(user.id, 'leaver', null);
    await users.deactivate(user.id);
    keys.forget();
    expect(await keys.authenticate(key)).toBe('inactive');
  });
});
