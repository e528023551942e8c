/**
 * WebhookService's rules against the real PostgreSQL (store/webhook-store): URL and filter
 * validation with the destination guard, only admins register operator webhooks, someone
 * else's endpoint is NOT_FOUND exactly like a missing one, the enable/disable transitions, the
 * per-user endpoint cap and the delivery page bounds.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { Role, SignalType, WebhookKind } from '../../../entities';
import { MAX_ENDPOINTS_PER_USER, WebhookService, type WebhookActor } from '../../../services/webhook.service';
import { UserService } from '../../../services/user.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../../temporal/client';
import { uniqueTicker } from '../../support/signal-fixtures';
import { testEnv } from '../../support/stack';

const hookUrl = () => `https://hooks.example.com/${randomUUID()}`;
// Every endpoint here follows a ticker no other test file signals, so signals computed by
// other files running at the same time never plan deliveries to these endpoints.
const ONLY = [uniqueTicker('H')];

describe('WebhookService', () => {
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let hooks: WebhookService;
  let owner: WebhookActor;
  let stranger: WebhookActor;
  let admin: WebhookActor;

  const actorOf = async (role: Role): Promise<WebhookActor> => {
    const user = await new UserService(db).create(`hook-${randomUUID()}@example.test`, `pw-${randomUUID()}`, role);
    return { userId: user.id, role: role === Role.ADMIN ? 'ADMIN' : 'USER' };
  };

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    hooks = new WebhookService(db, temporal.client, `svc-hooks-${randomUUID()}`);
    [owner, stranger, admin] = await Promise.all([actorOf(Role.USER), actorOf(Role.USER), actorOf(Role.ADMIN)]);
  });
  afterAll(async () => {
    // Leave no endpoint behind for other files sharing the database.
    await db.query(`DELETE FROM webhook_endpoints WHERE url LIKE 'https://hooks.example.com/%'`);
    await temporal.close();
    await db.destroy();
  });

  const refusals: Array<[string, Record<string, unknown>]> = [
    ['url', { url: 'not a url' }],
    ['url', { url: 'ftp://hooks.example.com/x' }],
    ['url', { url: 'https://me:pw@hooks.example.com/x' }],
    ['url', { url: 'http://127.0.0.1/hook' }],
    ['url', { url: 'http://169.254.169.254/latest' }],
    ['url', { url: `https://hooks.example.com/${'x'.repeat(2000)}` }],
    ['minConfidence', { minConfidence: 1.5 }],
    ['minConfidence', { minConfidence: Number.NaN }],
    ['description', { description: 'd'.repeat(201) }],
    ['tickers', { tickers: ['not a ticker!'] }],
  ];
  it.each(refusals)('refuses a bad %s and stores no endpoint', async (field, patch) => {
    const actor = await actorOf(Role.USER);
    await expect(hooks.create({ url: hookUrl(), tickers: ONLY, ...patch } as never, actor)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await hooks.list(actor)).toEqual([]);
  });

  it('lets only admins register an operator webhook', async () => {
    await expect(hooks.create({ url: hookUrl(), tickers: ONLY, kind: WebhookKind.OPERATOR }, owner)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { endpoint } = await hooks.create({ url: hookUrl(), tickers: ONLY, kind: WebhookKind.OPERATOR }, admin);
    expect(endpoint.kind).toBe(WebhookKind.OPERATOR);
    // Operator endpoints hear of every failing feed, whatever other files are polling: remove it at once.
    expect(await hooks.remove(endpoint.id, admin)).toBe(true);
  });

  it("hides an endpoint from everyone but its owner and admins: someone else's is NOT_FOUND for every operation", async () => {
    const { endpoint, secret } = await hooks.create({ url: hookUrl(), tickers: [ONLY[0].toLowerCase()], types: [SignalType.SELL, SignalType.BUY, SignalType.BUY], minConfidence: 0.5 }, owner);
    expect(secret.length).toBeGreaterThan(16);
    expect(endpoint).toMatchObject({ ownerId: owner.userId, tickers: ONLY, types: [SignalType.BUY, SignalType.SELL], minConfidence: 0.5, enabled: true });
    await expect(hooks.get(endpoint.id, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(hooks.update(endpoint.id, { description: 'mine now' }, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(hooks.rotateSecret(endpoint.id, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(hooks.remove(endpoint.id, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(hooks.deliveries(stranger, { endpointId: endpoint.id }, 10)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await hooks.list(stranger)).some((e) => e.id === endpoint.id)).toBe(false);
    expect((await hooks.list(admin)).some((e) => e.id === endpoint.id)).toBe(true);
    // Nothing the stranger tried changed it.
    expect(await hooks.get(endpoint.id, owner)).toMatchObject({ description: null, enabled: true });
    expect(await hooks.get(endpoint.id, admin)).toMatchObject({ id: endpoint.id });
    await expect(hooks.get(randomUUID(), owner)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(hooks.delivery(randomUUID(), owner)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('disabling records why and when; enabling clears it and the failure count', async () => {
    const { endpoint } = await hooks.create({ url: hookUrl(), tickers: ONLY }, owner);
    const disabled = await hooks.update(endpoint.id, { enabled: false }, owner);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'disabled by its owner' });
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    const enabled = await hooks.update(endpoint.id, { enabled: true }, owner);
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 });
    // A bad update changes nothing.
    await expect(hooks.update(endpoint.id, { url: 'http://10.0.0.1/x', description: 'new' }, owner)).rejects.toMatchObject({ field: 'url' });
    expect((await hooks.get(endpoint.id, owner)).description).toBeNull();
    expect(await hooks.remove(endpoint.id, owner)).toBe(true);
    await expect(hooks.get(endpoint.id, owner)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it(`refuses endpoint number ${MAX_ENDPOINTS_PER_USER + 1} of one user as CONFLICT`, async () => {
    const busy = await actorOf(Role.USER);
    for (let i = 0; i < MAX_ENDPOINTS_PER_USER; i++) await hooks.create({ url: hookUrl(), tickers: ONLY }, busy);
    await expect(hooks.create({ url: hookUrl(), tickers: ONLY }, busy)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await hooks.list(busy)).toHaveLength(MAX_ENDPOINTS_PER_USER);
  });

  it.each([0, 201, 2.5])('refuses a delivery page of %p', async (first) => {
    await expect(hooks.deliveries(owner, {}, first)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
