/**
 * LoginThrottleService's rules against the real PostgreSQL (store/login-failure-store): after
 * `perEmail` failures for one email (known or not) the next attempt is RATE_LIMITED with a
 * retry time, even with the right password; a right password forgives the email's earlier
 * failures; the per-address limit counts across emails.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { Role } from '../../../entities';
import { LoginThrottleService } from '../../../services/login-throttle.service';
import { UserService } from '../../../services/user.service';
import { testEnv } from '../../support/stack';

describe('LoginThrottleService', () => {
  let db: DataSource;
  let users: UserService;
  let throttle: LoginThrottleService;
  // A client address no other test uses (the throttle keys on it as given).
  const address = () => `client-${randomUUID()}`;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    users = new UserService(db);
    throttle = new LoginThrottleService(db, users, { perEmail: 3, perAddress: 5, windowSeconds: 600 });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('refuses the attempt after the email has failed perEmail times, even with the right password', async () => {
    const email = `throttle-${randomUUID()}@example.test`;
    await users.create(email, 'correct horse battery', Role.USER);
    for (let i = 0; i < 3; i++) expect(await throttle.verify(email, 'wrong password!', null)).toBeNull();
    const err = await throttle.verify(email, 'correct horse battery', null).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
    expect((err as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('counts unknown emails exactly like known ones', async () => {
    const email = `nobody-${randomUUID()}@example.test`;
    for (let i = 0; i < 3; i++) expect(await throttle.verify(email, 'any password 1', null)).toBeNull();
    await expect(throttle.verify(email, 'any password 1', null)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('forgives earlier failures of an email once its right password is given', async () => {
    const email = `forgiven-${randomUUID()}@example.test`;
    const user = await users.create(email, 'correct horse battery', Role.USER);
    for (let i = 0; i < 2; i++) await throttle.verify(email, 'typo password', null);
    expect((await throttle.verify(email, 'correct horse battery', null))?.id).toBe(user.id);
    // The count started again: three more failures are allowed before the limit.
    for (let i = 0; i < 3; i++) expect(await throttle.verify(email, 'typo password', null)).toBeNull();
    await expect(throttle.verify(email, 'typo password', null)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('limits one client address across different emails', async () => {
    const from = address();
    for (let i = 0; i < 5; i++) expect(await throttle.verify(`spray-${randomUUID()}@example.test`, 'guess password', from)).toBeNull();
    await expect(throttle.verify(`spray-${randomUUID()}@example.test`, 'guess password', from)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another address is not affected.
    expect(await throttle.verify(`spray-${randomUUID()}@example.test`, 'guess password', address())).toBeNull();
  });
});
