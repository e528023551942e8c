import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../domain/webhooks';
import { Feed, Role } from '../../entities';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV } from '../support/feed-fixtures';
import { scoredNews, uniqueTicker } from '../support/signal-fixtures';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { startReceiver, type Receiver } from '../support/webhook-receiver';
import { workflowQueue } from '../../domain/task-queues';

/** Fast retries, a short attempt cap and low thresholds, so a test sees the whole life of a delivery. */
const WEBHOOK_ENV = {
  ...LOCAL_FEEDS_ENV,
  TIDINGS_WEBHOOK_RETRY_INITIAL_MS: '300',
  TIDINGS_WEBHOOK_RETRY_MAX_INTERVAL_MS: '2000',
  TIDINGS_WEBHOOK_TIMEOUT_MS: '700',
  TIDINGS_WEBHOOK_DISABLE_AFTER: '2',
  TIDINGS_FEED_ALERT_AFTER: '2',
};

type Endpoint = { id: string; url: string; enabled: boolean; disabledReason: string | null; consecutiveFailures: number; tickers: string[] | null };
type Delivery = {
  id: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  eventType: string;
  replayOf: string | null;
};
const ENDPOINT_FIELDS = 'id url enabled disabledReason consecutiveFailures tickers types minConfidence kind';
const DELIVERY_FIELDS = 'id status attemptCount lastStatusCode lastError eventType replayOf payloadJson attempts { attempt statusCode latencyMs error }';

describe('webhooks: signed deliveries to local receivers through Temporal', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let alice: TestIdentity;
  let bob: TestIdentity;
  let admin: TestIdentity;
  let temporal: TemporalClientHandle;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, env: WEBHOOK_ENV });
    receiver = await startReceiver();
    [alice, bob, admin] = await Promise.all([createIdentity(stack.api.db), createIdentity(stack.api.db), createIdentity(stack.api.db, Role.ADMIN)]);
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await temporal.close();
    await stack.stop();
    await receiver.close();
  });

  async function createEndpoint(who: TestIdentity, path: string, extra: Record<string, unknown> = {}): Promise<{ endpoint: Endpoint; secret: string }> {
    const r = await stack.gql<{ createWebhookEndpoint: { endpoint: Endpoint; secret: string } }>(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT_FIELDS} } } }`,
      { input: { url: receiver.url(path), ...extra } },
      who.headers,
    );
    expect(r.errors).toBeUndefined();
    receiver.setSecret(path, r.data!.createWebhookEndpoint.secret);
    return r.data!.createWebhookEndpoint;
  }

  /** A real signal for a fresh ticker, computed by the worker (computeSignals mutation), which fans out to webhooks. */
  async function signalFor(ticker: string, score = 0.8): Promise<string> {
    await scoredNews(stack.api.db, ticker, score);
    const r = await stack.gql<{ computeSignals: { signals: Array<{ id: string; ticker: string; type: string }>; skipped: unknown[] } }>(
      'mutation($t: [String!]!) { computeSignals(tickers: $t) { signals { id ticker type } skipped { ticker reason } } }',
      { t: [ticker] },
      admin.headers,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.computeSignals.signals).toHaveLength(1);
    return r.data!.computeSignals.signals[0].id;
  }

  async function deliveriesOf(who: TestIdentity, endpointId: string): Promise<Array<Delivery & { payloadJson: string }>> {
    const r = await stack.gql<{ webhookDeliveries: { edges: Array<{ node: never }> } }>(
      `query($e: ID) { webhookDeliveries(endpointId: $e, first: 50) { edges { node { id status attemptCount lastStatusCode lastError eventType replayOf payloadJson } } } }`,
      { e: endpointId },
      who.headers,
    );
    expect(r.errors).toBeUndefined();
    return r.data!.webhookDeliveries.edges.map((e) => e.node);
  }

  async function deliveryWithAttempts(who: TestIdentity, id: string) {
    const r = await stack.gql<{ webhookDelivery: { status: string; attempts: Array<{ attempt: number; statusCode: number | null; latencyMs: number; error: string | null }> } }>(
      `query($id: ID!) { webhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`,
      { id },
      who.headers,
    );
    return r;
  }

  async function waitForStatus(who: TestIdentity, endpointId: string, status: string, count = 1): Promise<Delivery[]> {
    const until = Date.now() + 30_000;
    for (;;) {
      const last = await deliveriesOf(who, endpointId);
      if (last.filter((d) => d.status === status).length >= count) return last;
      if (Date.now() > until) throw new Error(`deliveries never reached ${status}: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('validates endpoints, refuses internal destinations, shows the secret once and never logs it', async () => {
    const { endpoint, secret } = await createEndpoint(alice, '/validate', { tickers: [' msft', 'aapl'], types: ['BUY'], minConfidence: 0.2 });
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ enabled: true, tickers: ['AAPL', 'MSFT'], consecutiveFailures: 0 });
    const bad = async (input: Record<string, unknown>, who = alice) =>
      (await stack.gql(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`, { input }, who.headers)).errors?.[0];
    expect(await bad({ url: 'http://169.254.169.254/latest/meta-data' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'url' }, message: expect.stringContaining('metadata') });
    expect(await bad({ url: 'http://localhost:8080/hook' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await bad({ url: 'http://10.1.2.3/hook' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('private') });
    expect(await bad({ url: 'ftp://example.com/x' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await bad({ url: receiver.url('/x'), tickers: ['1BAD'] })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'tickers' } });
    expect(await bad({ url: receiver.url('/x'), minConfidence: 2 })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await bad({ url: receiver.url('/x'), kind: 'OPERATOR' })).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    // The secret is never a field of the endpoint and never reaches the logs.
    const listed = await stack.gql<{ webhookEndpoints: Endpoint[] }>(`{ webhookEndpoints { ${ENDPOINT_FIELDS} } }`, undefined, alice.headers);
    expect(listed.data!.webhookEndpoints.map((e) => e.id)).toEqual([endpoint.id]);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await stack.gql(`{ webhookEndpoints { secret } }`, undefined, alice.headers)).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(stack.logs.text()).not.toContain(secret);
  });

  it("another user can neither see nor change nor replay someone's endpoint or deliveries; admins can", async () => {
    const ticker = uniqueTicker();
    const { endpoint } = await createEndpoint(alice, '/owned', { tickers: [ticker] });
    await signalFor(ticker);
    const [delivery] = await waitForStatus(alice, endpoint.id, 'SUCCEEDED');
    const notFound = async (query: string, variables: Record<string, unknown>) => {
      const r = await stack.gql(query, variables, bob.headers);
      expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    };
    await notFound(`query($id: ID!) { webhookEndpoint(id: $id) { id } }`, { id: endpoint.id });
    await notFound(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { id } }`, { id: endpoint.id });
    await notFound(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: endpoint.id });
    await notFound(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    await notFound(`query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { id } } } }`, { id: endpoint.id });
    await notFound(`query($id: ID!) { webhookDelivery(id: $id) { id } }`, { id: delivery.id });
    await notFound(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`, { id: delivery.id });
    const bobs = await stack.gql<{ webhookEndpoints: Endpoint[]; webhookDeliveries: { edges: unknown[] } }>(`{ webhookEndpoints { id } webhookDeliveries { edges { node { id } } } }`, undefined, bob.headers);
    expect(bobs.data).toEqual({ webhookEndpoints: [], webhookDeliveries: { edges: [] } });
    // Admins act on all.
    const seen = await stack.gql<{ webhookEndpoint: Endpoint }>(`query($id: ID!) { webhookEndpoint(id: $id) { id } }`, { id: endpoint.id }, admin.headers);
    expect(seen.data?.webhookEndpoint.id).toBe(endpoint.id);
    expect((await deliveryWithAttempts(admin, delivery.id)).data?.webhookDelivery.status).toBe('SUCCEEDED');
    // Still unchanged for its owner.
    const mine = await stack.gql<{ webhookEndpoint: Endpoint }>(`query($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`, { id: endpoint.id }, alice.headers);
    expect(mine.data!.webhookEndpoint.enabled).toBe(true);
  });

  it('a receiver that fails twice (503, then 429 with Retry-After) and then succeeds gets the event, signed, with one delivery id', async () => {
    const ticker = uniqueTicker();
    const { endpoint, secret } = await createEndpoint(alice, '/flaky', { tickers: [ticker] });
    receiver.behave('/flaky', (_r, nth) => (nth === 1 ? { status: 503 } : nth === 2 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const signalId = await signalFor(ticker);
    await receiver.waitFor(() => receiver.processed('/flaky').length === 1, 30_000, 'the flaky receiver to accept');
    const got = receiver.on('/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.deliveryId)).size).toBe(1);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got.map((r) => r.json.attempt)).toEqual([1, 2, 3]);
    expect(got[0].json).toMatchObject({ id: got[0].deliveryId, type: 'signal.created', data: { id: signalId, ticker, type: 'BUY' } });
    expect(got[0].headers['tidings-webhook-event']).toBe('signal.created');
    // Retry-After: 2 was honoured (the plain backoff would have been 600 ms).
    expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(1900);
    expect(got[1].at - got[0].at).toBeLessThan(1900);
    // A forged body with the same headers does not verify.
    expect(verifyWebhook({ secret, headers: got[2].headers, body: got[2].body.replace(ticker, 'AAPL') }).ok).toBe(false);

    const [delivery] = await waitForStatus(alice, endpoint.id, 'SUCCEEDED');
    const detail = await deliveryWithAttempts(alice, delivery.id);
    expect(detail.data!.webhookDelivery.attempts.map((a) => a.statusCode)).toEqual([503, 429, 200]);
    expect(detail.data!.webhookDelivery.attempts.every((a) => a.latencyMs >= 0)).toBe(true);
    expect(detail.data!.webhookDelivery.attempts[0].error).toMatch(/^HTTP 503/);
    expect(delivery).toMatchObject({ attemptCount: 3, lastStatusCode: 200 });
  });

  it("the activity that commits a signal makes the first attempt itself: a receiver that answers needs no workflow; one that fails goes to its endpoint's retry workflow, which continues from attempt 2", async () => {
    const ticker = uniqueTicker();
    const { endpoint: ok } = await createEndpoint(alice, '/first-ok', { tickers: [ticker] });
    const { endpoint: flaky } = await createEndpoint(bob, '/first-flaky', { tickers: [ticker] });
    receiver.behave('/first-flaky', (_r, nth) => (nth === 1 ? { status: 503 } : { status: 200 }));
    const signalId = await signalFor(ticker);
    // computeSignals returned (the mutation waits for it): the answering receiver's delivery is already recorded.
    const [okDelivery] = await deliveriesOf(alice, ok.id);
    expect(okDelivery).toMatchObject({ status: 'SUCCEEDED', attemptCount: 1, lastStatusCode: 200 });
    expect(receiver.on('/first-ok').map((r) => r.json.attempt)).toEqual([1]);
    await expect(temporal.client.workflow.getHandle(`webhook-endpoint-${ok.id}`).describe()).rejects.toThrow(/not found/i);
    await expect(temporal.client.workflow.getHandle(`webhook-event-signal:${signalId}`).describe()).rejects.toThrow(/not found/i);
    // The failed one went to its endpoint's retry workflow, which carries the attempt count on.
    await receiver.waitFor(() => receiver.processed('/first-flaky').length === 1, 30_000, 'the flaky receiver to accept the retry');
    const [flakyDelivery] = await waitForStatus(bob, flaky.id, 'SUCCEEDED');
    expect(receiver.on('/first-flaky').map((r) => [r.json.attempt, r.deliveryId])).toEqual([
      [1, flakyDelivery.id],
      [2, flakyDelivery.id],
    ]);
    expect(flakyDelivery).toMatchObject({ attemptCount: 2, lastStatusCode: 200 });
    expect((await temporal.client.workflow.getHandle(`webhook-endpoint-${flaky.id}`).describe()).type).toBe('deliverWebhookEventWorkflow');
  });

  it("one endpoint's retry workflow takes the failed deliveries of every event, each retried on its own schedule", async () => {
    const [t1, t2] = [uniqueTicker(), uniqueTicker()];
    const { endpoint } = await createEndpoint(alice, '/down-twice', { tickers: [t1, t2] });
    // Each event's first attempt fails once; the retries succeed.
    const seen = new Set<string>();
    receiver.behave('/down-twice', (r) => {
      if (seen.has(r.deliveryId)) return { status: 200 };
      seen.add(r.deliveryId);
      return { status: 503 };
    });
    await signalFor(t1);
    await signalFor(t2);
    const deliveries = await waitForStatus(alice, endpoint.id, 'SUCCEEDED', 2);
    expect(deliveries.map((d) => d.attemptCount)).toEqual([2, 2]);
    const runs = [];
    for await (const w of temporal.client.workflow.list({ query: `WorkflowId = 'webhook-endpoint-${endpoint.id}'` })) runs.push(w);
    // One run took both events' retries (a second run would only follow a minute without any).
    expect(runs).toHaveLength(1);
  });

  it('a slow receiver is cut off at the attempt cap, recorded as a timeout, and retried', async () => {
    const ticker = uniqueTicker();
    const { endpoint } = await createEndpoint(alice, '/slow', { tickers: [ticker] });
    receiver.behave('/slow', (_r, nth) => (nth === 1 ? { status: 200, delayMs: 5000 } : { status: 200 }));
    await signalFor(ticker);
    const [delivery] = await waitForStatus(alice, endpoint.id, 'SUCCEEDED');
    const attempts = (await deliveryWithAttempts(alice, delivery.id)).data!.webhookDelivery.attempts;
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/^timeout: no complete response within 700 ms/) });
    expect(attempts[0].latencyMs).toBeGreaterThanOrEqual(650);
    expect(attempts[0].latencyMs).toBeLessThan(2000);
    expect(attempts[1].statusCode).toBe(200);
  });

  it('410 stops a delivery after one attempt; two failed deliveries in a row disable the endpoint with a reason; re-enable and replay', async () => {
    const ticker = uniqueTicker();
    const { endpoint } = await createEndpoint(alice, '/gone', { tickers: [ticker] });
    receiver.behave('/gone', () => ({ status: 410 }));
    await signalFor(ticker);
    const [first] = await waitForStatus(alice, endpoint.id, 'FAILED');
    expect(first).toMatchObject({ attemptCount: 1, lastStatusCode: 410, lastError: expect.stringMatching(/^HTTP 410/) });
    await new Promise((r) => setTimeout(r, 1500)); // longer than the first backoff: no further attempt comes
    expect(receiver.on('/gone')).toHaveLength(1);
    let ep = (await stack.gql<{ webhookEndpoint: Endpoint }>(`query($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`, { id: endpoint.id }, alice.headers)).data!.webhookEndpoint;
    expect(ep).toMatchObject({ enabled: true, consecutiveFailures: 1 });

    // A second signal (a later asOf) fails the same way: the endpoint is disabled, and says why.
    await scoredNews(stack.api.db, ticker, 0.9);
    const again = await stack.gql('mutation($t: [String!]!) { computeSignals(tickers: $t) { signals { id } } }', { t: [ticker] }, admin.headers);
    expect(again.errors).toBeUndefined();
    await waitForStatus(alice, endpoint.id, 'FAILED', 2);
    ep = (await stack.gql<{ webhookEndpoint: Endpoint }>(`query($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`, { id: endpoint.id }, alice.headers)).data!.webhookEndpoint;
    expect(ep.enabled).toBe(false);
    expect(ep.disabledReason).toMatch(/^disabled automatically: 2 deliveries in a row failed; the last: HTTP 410/);

    // Replaying to a disabled endpoint is refused; once re-enabled, the replay is a new delivery of the same event.
    const replay = (id: string) => stack.gql<{ replayWebhookDelivery: Delivery }>(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status replayOf } }`, { id }, alice.headers);
    expect((await replay(first.id)).errors?.[0].extensions?.code).toBe('CONFLICT');
    const enabled = await stack.gql<{ updateWebhookEndpoint: Endpoint }>(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { ${ENDPOINT_FIELDS} } }`,
      { id: endpoint.id },
      alice.headers,
    );
    expect(enabled.data!.updateWebhookEndpoint).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    receiver.behave('/gone', () => ({ status: 200 }));
    const replayed = await replay(first.id);
    expect(replayed.errors).toBeUndefined();
    expect(replayed.data!.replayWebhookDelivery).toMatchObject({ replayOf: first.id });
    await receiver.waitFor(() => receiver.processed('/gone').length === 1, 30_000, 'the replay');
    const got = receiver.processed('/gone')[0];
    expect(got.deliveryId).toBe(replayed.data!.replayWebhookDelivery.id);
    expect(got.json.data).toMatchObject({ ticker });
  });

  it('filters: tickers, types and minimum confidence decide who gets a signal', async () => {
    const ticker = uniqueTicker();
    const all = await createEndpoint(alice, '/f-match', { tickers: [ticker], types: ['BUY'], minConfidence: 0 });
    const sellOnly = await createEndpoint(alice, '/f-sell', { tickers: [ticker], types: ['SELL'] });
    const other = await createEndpoint(alice, '/f-other', { tickers: [uniqueTicker()] });
    const strict = await createEndpoint(alice, '/f-strict', { tickers: [ticker], minConfidence: 1 });
    await signalFor(ticker);
    await waitForStatus(alice, all.endpoint.id, 'SUCCEEDED');
    for (const e of [sellOnly, other, strict]) expect(await deliveriesOf(alice, e.endpoint.id)).toEqual([]);
  });

  it('a feed failing N polls in a row alerts operator webhooks once, until it recovers', async () => {
    const opPath = `/operator-${randomUUID()}`;
    const op = await createEndpoint(admin, opPath, { kind: 'OPERATOR' });
    expect(op.endpoint).toMatchObject({ kind: 'OPERATOR' });
    let failing = true;
    const feedServer = http.createServer((_req, res) => {
      if (failing) res.writeHead(404).end('gone');
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss version="2.0"><channel><title>t</title></channel></rss>');
    });
    await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', () => r()));
    try {
      const repo = stack.api.db.getRepository(Feed);
      const feed = await repo.save(repo.create({ url: `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/${randomUUID()}.rss`, name: 'alerting', pollIntervalSeconds: 300 }));
      const poll = () => temporal.client.workflow.execute('pollFeedWorkflow', { taskQueue: workflowQueue(stack.config.taskQueue, 'pollFeedWorkflow'), workflowId: `poll-alert-${randomUUID()}`, args: [{ feedId: feed.id }] });
      // Other test files' feeds may alert this operator endpoint too: count this feed's alerts only.
      const alertsOf = (list: Array<{ json: { data: Record<string, unknown> } }>) => list.filter((r) => r.json.data.feedId === feed.id);
      await poll();
      await new Promise((r) => setTimeout(r, 500));
      expect(alertsOf(receiver.on(opPath))).toHaveLength(0); // one failure is not yet N = 2
      await poll();
      await receiver.waitFor(() => alertsOf(receiver.processed(opPath)).length === 1, 30_000, 'the operator alert');
      const alert = alertsOf(receiver.processed(opPath))[0];
      expect(alert.json).toMatchObject({ type: 'feed.failing', data: { feedId: feed.id, name: 'alerting', consecutiveFailures: 2, lastError: expect.stringMatching(/NOT_FOUND/) } });
      await poll(); // a third failure does not alert again
      await new Promise((r) => setTimeout(r, 1000));
      expect(alertsOf(receiver.on(opPath))).toHaveLength(1);
      const [health] = await stack.api.db.query('SELECT failure_alerted_at FROM feeds WHERE id = $1', [feed.id]);
      expect(health.failure_alerted_at).not.toBeNull();
      failing = false;
      await poll(); // recovery clears the alert, so the next failing streak alerts again
      const [after] = await stack.api.db.query('SELECT failure_alerted_at, consecutive_failures FROM feeds WHERE id = $1', [feed.id]);
      expect(after).toEqual({ failure_alerted_at: null, consecutive_failures: 0 });
    } finally {
      feedServer.close();
      await stack.gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: op.endpoint.id }, admin.headers);
    }
  });
});
