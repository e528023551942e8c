/**
 * UserService's rules against the real PostgreSQL, through store/credential-store: email and
 * password validation, one user per email (case-insensitive), password checks that refuse
 * inactive users, and deactivation (NOT_FOUND for an unknown id, the credential hook called).
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { Role } from '../../../entities';
import { MAX_PASSWORD_BYTES, UserService } from '../../../services/user.service';
import { testEnv } from '../../support/stack';

describe('UserService', () => {
  let db: DataSource;
  let users: UserService;
  let credentialChanges = 0;
  const email = () => `user-${randomUUID()}@example.test`;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    users = new UserService(db, () => credentialChanges++);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it.each(['', 'no-at-sign', 'two words@example.test', '@example.test'])('refuses the email %p as BAD_USER_INPUT on field email', async (bad) => {
    await expect(users.create(bad, 'long enough password', Role.USER)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  it('refuses a password shorter than 10 characters or longer than bcrypt can hash whole', async () => {
    await expect(users.create(email(), 'short', Role.USER)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    // 25 three-byte characters: 25 characters but 75 bytes.
    await expect(users.create(email(), '€'.repeat(25), Role.USER)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(Buffer.byteLength('€'.repeat(25))).toBeGreaterThan(MAX_PASSWORD_BYTES);
  });

  it('normalises the email and refuses a second user with the same email in other case as CONFLICT', async () => {
    const address = email();
    const created = await users.create(`  ${address.toUpperCase()} `, 'correct horse battery', Role.USER);
    expect(created.email).toBe(address);
    expect(created.role).toBe(Role.USER);
    await expect(users.create(address.toUpperCase(), 'another password', Role.ADMIN)).rejects.toMatchObject({ code: 'CONFLICT', field: 'email' });
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [address])) as Array<{ n: number }>;
    expect(n).toBe(1);
  });

  it('verifies the right password only, for an active user', async () => {
    const address = email();
    const user = await users.create(address, 'correct horse battery', Role.USER);
    expect((await users.verifyPassword(address.toUpperCase(), 'correct horse battery'))?.id).toBe(user.id);
    expect(await users.verifyPassword(address, 'wrong horse battery')).toBeNull();
    expect(await users.verifyPassword(email(), 'correct horse battery')).toBeNull();
    expect(await users.verifyPassword(address, 'x'.repeat(MAX_PASSWORD_BYTES + 1))).toBeNull();
    const before = credentialChanges;
    const deactivated = await users.deactivate(user.id);
    expect(deactivated.active).toBe(false);
    expect(credentialChanges).toBe(before + 1);
    expect(await users.verifyPassword(address, 'correct horse battery')).toBeNull();
  });

  it('deactivating an unknown user is NOT_FOUND and tells nobody', async () => {
    const before = credentialChanges;
    await expect(users.deactivate(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(credentialChanges).toBe(before);
  });

  it('knows whether an active admin exists and lists users within its bounds', async () => {
    await users.create(email(), 'admin password 1', Role.ADMIN);
    expect(await users.adminExists()).toBe(true);
    expect(await users.list(0)).toHaveLength(1);
  });
});
