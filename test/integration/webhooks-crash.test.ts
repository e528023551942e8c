import type { ChildProcess } from 'node:child_process';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV } from '../support/feed-fixtures';
import { scoredNews, uniqueTicker } from '../support/signal-fixtures';
import { startTestStack, type TestStack } from '../support/stack';
import { startReceiver, type Receiver } from '../support/webhook-receiver';
import { kill, startWorkerChild } from '../support/worker-child-process';

const ENV = { ...LOCAL_FEEDS_ENV, TIDINGS_WEBHOOK_RETRY_INITIAL_MS: '300', TIDINGS_WEBHOOK_RETRY_MAX_INTERVAL_MS: '1000', TIDINGS_WEBHOOK_TIMEOUT_MS: '1000' };

describe('a worker killed mid-delivery', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let admin: TestIdentity;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ env: ENV }); // API and database only: workers are child processes
    receiver = await startReceiver();
    admin = await createIdentity(stack.api.db, Role.ADMIN);
  });
  afterAll(async () => {
    await Promise.all(workers.map(kill));
    await stack.stop();
    await receiver.close();
  });

  it('is replaced by a new worker; every event is delivered and a receiver deduplicating on the delivery id sees each exactly once', async () => {
    const tickers = [uniqueTicker(), uniqueTicker(), uniqueTicker(), uniqueTicker(), uniqueTicker()];
    const created = await stack.gql<{ createWebhookEndpoint: { endpoint: { id: string }; secret: string } }>(
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }',
      { input: { url: receiver.url('/crash'), tickers } },
      admin.headers,
    );
    receiver.setSecret('/crash', created.data!.createWebhookEndpoint.secret);
    // While `hold` is set, the receiver reads each delivery and never answers: the attempt is mid-flight.
    let hold = true;
    receiver.behave('/crash', () => (hold ? { status: 200, hold: true } : { status: 200 }));

    workers.push(await startWorkerChild(stack.config.taskQueue, ENV));
    for (const t of tickers) await scoredNews(stack.api.db, t, 0.8);
    const computed = await stack.gql<{ computeSignals: { signals: Array<{ id: string }> } }>(
      'mutation($t: [String!]!) { computeSignals(tickers: $t) { signals { id } } }',
      { t: tickers },
      admin.headers,
    );
    expect(computed.data!.computeSignals.signals).toHaveLength(5);
    await receiver.waitFor(() => receiver.on('/crash').length >= 1, 30_000, 'a delivery in flight');
    await kill(workers[0]); // SIGKILL: the in-flight attempts are simply lost

    hold = false;
    workers.push(await startWorkerChild(stack.config.taskQueue, ENV));
    await receiver.waitFor(() => receiver.processed('/crash').length === 5, 60_000, 'all five events to be processed');
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives afterwards

    const processed = receiver.processed('/crash');
    expect(processed.map((r) => r.json.data.id).sort()).toEqual(computed.data!.computeSignals.signals.map((s) => s.id).sort());
    expect(new Set(processed.map((r) => r.deliveryId)).size).toBe(5);
    expect(processed.every((r) => r.verified)).toBe(true);
    // The held requests were sent again with the same delivery id, and deduplication absorbed nothing else.
    const all = receiver.on('/crash');
    expect(all.length).toBeGreaterThan(5);
    expect(new Set(all.map((r) => r.deliveryId)).size).toBe(5);
    const rows = await stack.api.db.query(`SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1`, [created.data!.createWebhookEndpoint.endpoint.id]);
    expect(rows).toHaveLength(5);
    expect(rows.every((r: { status: string }) => r.status === 'SUCCEEDED')).toBe(true);
    expect(rows.some((r: { attempts: number }) => r.attempts >= 2)).toBe(true);
  }, 120_000);
});
