import crypto from 'node:crypto';
import { parseApiKey } from '../../domain/access/key-format';
import { featureFlagActivities } from '../../activities/feature-flag.activities';
import { Role } from '../../entities';
import { isFeatureEnabled, type FlagKey } from '../../store/feature-flag-store';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

const code = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions?.code;

describe('access over HTTP: keys, users, roles, feature flags', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let user: TestIdentity;
  const secrets: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack();
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    user = await createIdentity(stack.api.db, Role.USER);
    secrets.push(admin.key, admin.password, user.key, user.password);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('every operation without a valid key is UNAUTHENTICATED', async () => {
    for (const q of ['{ me { id } }', '{ featureFlags { key } }', '{ apiKeys { id } }', 'mutation { runPipelineProbe { id } }', '{ __typename }']) {
      const r = await stack.gql(q);
      expect(code(r)).toBe('UNAUTHENTICATED');
      expect(r.data ?? null).toBeNull();
    }
    const malformed = await stack.gql('{ me { id } }', undefined, { authorization: 'Bearer nope' });
    expect(code(malformed)).toBe('UNAUTHENTICATED');
    expect(malformed.errors![0].message).toMatch(/malformed/);
    // Right shape, right lookup id, wrong secret.
    const forged = user.key.slice(0, -4) + (user.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const wrong = await stack.gql('{ me { id } }', undefined, { authorization: `Bearer ${forged}` });
    expect(code(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].message).toMatch(/not valid/);
  });

  it('me answers with the key owner; a wrong role is FORBIDDEN', async () => {
    const me = await stack.gql<{ me: { id: string; role: string; email: string } }>('{ me { id role email active } }', undefined, user.headers);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: user.user.id, role: 'USER' });
    const forbidden = await stack.gql('mutation { createUser(email: "x@example.test", password: "long-enough-pw", role: USER) { id } }', undefined, user.headers);
    expect(code(forbidden)).toBe('FORBIDDEN');
  });

  it('the first key comes from email + password; the key is shown once and stored only as a SHA-256', async () => {
    const email = `first-${crypto.randomUUID()}@example.test`;
    const password = 'correct horse battery staple';
    secrets.push(password);
    const created = await stack.gql<{ createUser: { id: string; role: string } }>(
      'mutation($e: String!, $p: String!) { createUser(email: $e, password: $p, role: USER) { id role } }',
      { e: email, p: password },
      admin.headers,
    );
    expect(created.errors).toBeUndefined();
    const userId = created.data!.createUser.id;

    const bad = await stack.gql('mutation($e: String!) { createApiKeyWithPassword(email: $e, password: "wrong password!", name: "x") { key } }', { e: email });
    expect(code(bad)).toBe('UNAUTHENTICATED');

    const first = await stack.gql<{ createApiKeyWithPassword: { key: string; apiKey: { id: string; name: string } } }>(
      'mutation($e: String!, $p: String!) { createApiKeyWithPassword(email: $e, password: $p, name: "laptop") { key apiKey { id name } } }',
      { e: email.toUpperCase(), p: password },
    );
    expect(first.errors).toBeUndefined();
    const key = first.data!.createApiKeyWithPassword.key;
    secrets.push(key);
    expect(key).toMatch(/^tdg_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    const headers = { authorization: `Bearer ${key}` };

    const second = await stack.gql<{ createApiKey: { key: string; apiKey: { id: string } } }>('mutation { createApiKey(name: "ci") { key apiKey { id } } }', undefined, headers);
    expect(second.errors).toBeUndefined();
    secrets.push(second.data!.createApiKey.key);

    const list = await stack.gql<{ apiKeys: Array<Record<string, unknown>> }>('{ apiKeys { id name createdAt lastUsedAt expiresAt revokedAt } }', undefined, headers);
    expect(list.data!.apiKeys.map((k) => k.name).sort()).toEqual(['ci', 'laptop']);
    expect(JSON.stringify(list)).not.toContain(key.slice(30));

    // The database holds the lookup id and SHA-256(secret), and nothing else derived from the key.
    const rows: Array<Record<string, unknown>> = await stack.api.db.query('SELECT * FROM api_keys WHERE user_id = $1', [userId]);
    expect(rows).toHaveLength(2);
    const parsed = parseApiKey(key)!;
    const row = rows.find((r) => r.lookup_id === parsed.lookupId)!;
    expect((row.secret_hash as Buffer).equals(crypto.createHash('sha256').update(parsed.secret).digest())).toBe(true);
    const dump = JSON.stringify(rows, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('base64url') : v));
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(parsed.secret.toString('base64url'));
    // lastUsedAt is written (throttled, asynchronously) once the key is used.
    await new Promise((r) => setTimeout(r, 200));
    const used: Array<{ last_used_at: Date | null }> = await stack.api.db.query('SELECT last_used_at FROM api_keys WHERE lookup_id = $1', [parsed.lookupId]);
    expect(used[0].last_used_at).toBeInstanceOf(Date);
  });

  it('passwords are bcrypt with cost 12; over 72 bytes is refused, not truncated', async () => {
    const rows: Array<{ password_hash: string }> = await stack.api.db.query('SELECT password_hash FROM users WHERE id = $1', [user.user.id]);
    expect(rows[0].password_hash.startsWith('$2b$12$')).toBe(true);
    const long = 'é'.repeat(37); // 37 characters, 74 bytes
    const r = await stack.gql('mutation($p: String!) { createUser(email: "long@example.test", password: $p, role: USER) { id } }', { p: long }, admin.headers);
    expect(code(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/72 bytes/);
    const exists: unknown[] = await stack.api.db.query(`SELECT 1 FROM users WHERE email = 'long@example.test'`);
    expect(exists).toHaveLength(0);
  });

  it('an expired key stops working', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const made = await stack.gql<{ createApiKey: { key: string } }>('mutation($t: DateTimeISO) { createApiKey(name: "short", expiresAt: $t) { key } }', { t: expiresAt }, user.headers);
    expect(made.errors).toBeUndefined();
    const key = made.data!.createApiKey.key;
    secrets.push(key);
    expect((await stack.gql('{ me { id } }', undefined, { authorization: `Bearer ${key}` })).errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1700));
    const after = await stack.gql('{ me { id } }', undefined, { authorization: `Bearer ${key}` });
    expect(code(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0].message).toMatch(/expired/);
    const past = await stack.gql('mutation { createApiKey(name: "past", expiresAt: "2020-01-01T00:00:00Z") { key } }', undefined, user.headers);
    expect(code(past)).toBe('BAD_USER_INPUT');
  });

  it('a revoked key stops working at once; only its owner (or an admin) can revoke it', async () => {
    const other = await createIdentity(stack.api.db, Role.USER);
    secrets.push(other.key, other.password);
    const foreign = await stack.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: other.apiKeyId }, user.headers);
    expect(code(foreign)).toBe('NOT_FOUND');
    expect((await stack.gql('{ me { id } }', undefined, other.headers)).errors).toBeUndefined();
    const revoked = await stack.gql<{ revokeApiKey: { revokedAt: string } }>('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: other.apiKeyId }, other.headers);
    expect(Date.parse(revoked.data!.revokeApiKey.revokedAt)).toBeGreaterThan(0);
    const after = await stack.gql('{ me { id } }', undefined, other.headers);
    expect(code(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0].message).toMatch(/revoked/);
  });

  it('a deactivated user\'s keys stop working at once, and the password no longer issues keys', async () => {
    const victim = await createIdentity(stack.api.db, Role.USER);
    secrets.push(victim.key, victim.password);
    expect((await stack.gql('{ me { id } }', undefined, victim.headers)).errors).toBeUndefined();
    const byUser = await stack.gql('mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: victim.user.id }, user.headers);
    expect(code(byUser)).toBe('FORBIDDEN');
    const done = await stack.gql<{ deactivateUser: { active: boolean } }>('mutation($id: ID!) { deactivateUser(id: $id) { active deactivatedAt } }', { id: victim.user.id }, admin.headers);
    expect(done.data!.deactivateUser.active).toBe(false);
    const after = await stack.gql('{ me { id } }', undefined, victim.headers);
    expect(code(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0].message).toMatch(/deactivated/);
    const pw = await stack.gql('mutation($e: String!, $p: String!) { createApiKeyWithPassword(email: $e, password: $p, name: "again") { key } }', { e: victim.user.email, p: victim.password });
    expect(code(pw)).toBe('UNAUTHENTICATED');
  });

  it('feature flags: everyone reads, only admins change, every change is audited (who, when, old -> new)', async () => {
    const list = await stack.gql<{ featureFlags: Array<{ key: string; enabled: boolean }> }>('{ featureFlags { key enabled description } }', undefined, user.headers);
    expect(list.data!.featureFlags.map((f) => f.key)).toEqual(expect.arrayContaining(['rss_polling', 'model_sentiment', 'signal_subscriptions', 'backtests']));

    const denied = await stack.gql('mutation { setFeatureFlag(key: "backtests", enabled: false) { key } }', undefined, user.headers);
    expect(code(denied)).toBe('FORBIDDEN');
    expect(code(await stack.gql('mutation { toggleFeatureFlag(key: "backtests") { key } }', undefined, user.headers))).toBe('FORBIDDEN');
    expect(code(await stack.gql('{ featureFlagAudit(first: 5) { id } }', undefined, user.headers))).toBe('FORBIDDEN');

    // A key of its own (an admin may store any), so parallel tests' flags stay untouched; the
    // readers take only the typed keys, hence the cast.
    const key = `test_flag_${crypto.randomBytes(4).toString('hex')}` as FlagKey;
    const activities = featureFlagActivities(stack.api.db);
    expect(await activities.readFeatureFlags([key])).toEqual({ [key]: false });
    const created = await stack.gql<{ setFeatureFlag: { enabled: boolean; description: string; updatedBy: string } }>(
      'mutation($k: String!) { setFeatureFlag(key: $k, enabled: true, description: "made by a test") { enabled description updatedBy } }',
      { k: key },
      admin.headers,
    );
    expect(created.data!.setFeatureFlag).toEqual({ enabled: true, description: 'made by a test', updatedBy: admin.user.id });
    expect(await isFeatureEnabled(stack.api.db, key)).toBe(true);
    expect(await activities.readFeatureFlags([key, 'rss_polling'])).toEqual({ [key]: true, rss_polling: true });

    const toggled = await stack.gql<{ toggleFeatureFlag: { enabled: boolean } }>('mutation($k: String!) { toggleFeatureFlag(key: $k) { enabled } }', { k: key }, admin.headers);
    expect(toggled.data!.toggleFeatureFlag.enabled).toBe(false);
    expect(await isFeatureEnabled(stack.api.db, key)).toBe(false);
    await stack.gql('mutation($k: String!) { setFeatureFlag(key: $k, enabled: true) { key } }', { k: key }, admin.headers);

    const audit = await stack.gql<{ featureFlagAudit: Array<{ flagKey: string; oldEnabled: boolean | null; newEnabled: boolean; changedBy: string; changedAt: string; newDescription: string }> }>(
      'query($k: String) { featureFlagAudit(key: $k, first: 10) { flagKey oldEnabled newEnabled oldDescription newDescription changedBy changedAt } }',
      { k: key },
      admin.headers,
    );
    const trail = audit.data!.featureFlagAudit.reverse();
    expect(trail.map((a) => [a.oldEnabled, a.newEnabled])).toEqual([[null, true], [true, false], [false, true]]);
    expect(trail.every((a) => a.changedBy === admin.user.id && a.flagKey === key && Date.parse(a.changedAt) > Date.now() - 60_000)).toBe(true);
    expect(trail[2].newDescription).toBe('made by a test'); // kept when not given

    expect(code(await stack.gql('mutation { toggleFeatureFlag(key: "no_such_flag") { key } }', undefined, admin.headers))).toBe('NOT_FOUND');
    expect(code(await stack.gql('mutation { setFeatureFlag(key: "Bad Key!", enabled: true) { key } }', undefined, admin.headers))).toBe('BAD_USER_INPUT');
  });

  it('no log line ever contains a key or a password', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const text = stack.logs.text();
    expect(stack.logs.lines.length).toBeGreaterThan(10); // debug logging was on and captured
    for (const s of secrets) {
      expect(text).not.toContain(s);
      const parsed = parseApiKey(s);
      if (parsed) expect(text).not.toContain(parsed.secret.toString('base64url'));
    }
    expect(text).not.toMatch(/tdg_[0-9a-f]{24}_/);
  });
});
