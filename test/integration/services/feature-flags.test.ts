/**
 * FeatureFlagService's rules against the real PostgreSQL, through store/feature-flag-store:
 * key and description validation, NOT_FOUND on toggling an unknown flag, the description
 * kept when a set omits it, and the audit page bounds.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { ServiceError } from '../../../services/errors';
import { FeatureFlagService } from '../../../services/feature-flags.service';
import type { FlagKey } from '../../../store/feature-flag-store';
import { testEnv } from '../../support/stack';

const newKey = () => `svc_flag_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

describe('FeatureFlagService', () => {
  let db: DataSource;
  let flags: FeatureFlagService;
  const actor = randomUUID();

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    flags = new FeatureFlagService(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it.each(['', 'Upper', '1starts_with_digit', 'has-dash', `a${'b'.repeat(63)}`])('refuses the key %p as BAD_USER_INPUT on field key, storing nothing', async (key) => {
    const err = await flags.set(key, true, undefined, actor).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'key' });
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM feature_flag_audit WHERE flag_key = $1`, [key])) as Array<{ n: number }>;
    expect(n).toBe(0);
  });

  it('refuses a description over 500 characters', async () => {
    await expect(flags.set(newKey(), true, 'x'.repeat(501), actor)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'description' });
  });

  it('creates a flag with an empty description, keeps the description when a later set omits it', async () => {
    const key = newKey();
    expect(await flags.set(key, true, undefined, actor)).toMatchObject({ key, enabled: true, description: '' });
    expect(await flags.set(key, true, 'why it exists', actor)).toMatchObject({ enabled: true, description: 'why it exists' });
    expect(await flags.set(key, false, undefined, actor)).toMatchObject({ enabled: false, description: 'why it exists' });
    expect(await flags.isEnabled(key as FlagKey, { fresh: true })).toBe(false);
  });

  it('toggles an existing flag and records each change in the audit, newest first', async () => {
    const key = newKey();
    await flags.set(key, false, 'toggled', actor);
    expect(await flags.toggle(key, actor)).toMatchObject({ enabled: true, description: 'toggled' });
    expect(await flags.toggle(key, actor)).toMatchObject({ enabled: false });
    const audit = await flags.audit(key, 10);
    expect(audit).toHaveLength(3);
    expect(audit.map((a) => a.newEnabled)).toEqual([false, true, false]);
  });

  it('toggling an unknown flag is NOT_FOUND and creates nothing', async () => {
    const key = newKey();
    await expect(flags.toggle(key, actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await flags.list()).some((f) => f.key === key)).toBe(false);
    expect(await flags.audit(key, 10)).toEqual([]);
  });

  it.each([0, 501, 1.5])('refuses an audit page of %p entries', (first) => {
    expect(() => flags.audit(undefined, first)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' }) as Error);
  });
});
