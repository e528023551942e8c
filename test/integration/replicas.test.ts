/**
 * Replicas on one machine (issue 21): two API processes and two worker processes serving
 * different queue sets, against one Temporal and one PostgreSQL.
 *   worker 1: ingest, scoring, alerts;  worker 2: scoring, alerts, batch.
 * Shows: a subscriber on API A gets signals whose articles came in through API B; a rate limit
 * holds across both APIs; killing API A drops only its sockets, and its clients reconnect to B;
 * killing worker 1 mid-work loses and duplicates nothing (scores, signals, subscription events,
 * webhook deliveries).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createClient, type Client as WsClient } from 'graphql-ws';
import type { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { createDataSource } from '../../db/data-source';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV } from '../support/feed-fixtures';
import { fetchFrom, randomLoopbackAddress, subscribe, testEnv } from '../support/stack';
import { startReceiver, type Receiver } from '../support/webhook-receiver';
import { kill, startApiChild, startWorkerChild } from '../support/worker-child-process';

jest.setTimeout(240_000);

type SignalEvent = { signalCreated: { id: string; ticker: string; articles: Array<{ id: string }> } };
type Gql<T> = { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
const SIGNALS = 'subscription($t: [String!]!) { signalCreated(tickers: $t) { id ticker articles { id } } }';
const IMPORT = 'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }';

const ENV = {
  ...LOCAL_FEEDS_ENV,
  RATE_LIMIT_USER_PER_MIN: '30',
  TIDINGS_WEBHOOK_RETRY_INITIAL_MS: '300',
  TIDINGS_WEBHOOK_RETRY_MAX_INTERVAL_MS: '1000',
  TIDINGS_WEBHOOK_TIMEOUT_MS: '2000',
};

describe('two API and two worker processes on one Temporal and one PostgreSQL', () => {
  const base = `test-${randomUUID()}`;
  let db: DataSource;
  let apiA: { child: ChildProcess; graphqlUrl: string };
  let apiB: { child: ChildProcess; graphqlUrl: string };
  let worker1: ChildProcess;
  let worker2: ChildProcess;
  let admin: TestIdentity;
  let receiver: Receiver;
  const sockets: WsClient[] = [];
  const client = fetchFrom(randomLoopbackAddress());

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    // One after another (each compiles on start): on a loaded machine four at once can outlast the readiness wait.
    apiA = await startApiChild(base, ENV);
    apiB = await startApiChild(base, ENV);
    worker1 = await startWorkerChild(base, { ...ENV, TIDINGS_WORKER_QUEUES: 'ingest,scoring,alerts' });
    worker2 = await startWorkerChild(base, { ...ENV, TIDINGS_WORKER_QUEUES: 'scoring,alerts,batch' });
    admin = await createIdentity(db, Role.ADMIN);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
    await Promise.all([apiA, apiB].filter(Boolean).map((a) => kill(a.child)));
    await Promise.all([worker1, worker2].filter(Boolean).map(kill));
    await receiver?.close();
    await client.close();
    await db?.destroy();
  });

  async function gql<T>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = admin.headers): Promise<Gql<T>> {
    const res = await client.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Gql<T>;
  }

  /** A graphql-ws client over `urls` in turn: on a lost connection it retries with the next one. */
  function ws(urls: string[]): { client: WsClient; connectedTo: string[]; closed: number } {
    const state = { connectedTo: [] as string[], closed: 0 };
    let next = 0;
    let current = '';
    const c = createClient({
      url: () => (current = urls[next++ % urls.length].replace(/^http/, 'ws')),
      webSocketImpl: WebSocket,
      connectionParams: admin.params,
      retryAttempts: 10,
      retryWait: () => new Promise((r) => setTimeout(r, 200)),
      shouldRetry: () => true,
      on: { connected: () => state.connectedTo.push(current), closed: () => state.closed++ },
    });
    sockets.push(c);
    return Object.assign(state, { client: c });
  }

  const articles = (ticker: string, n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({
      title: `$${ticker} ${['surges to a record high on blowout earnings', 'raises dividend after a strong quarter', 'beats revenue estimates, shares jump'][i % 3]}`,
      url: `https://replicas.example/${tag}/${ticker}/${randomUUID()}`,
      publishedAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
    }));

  it('a subscriber on API A gets the signal of articles imported through API B', async () => {
    const onA = ws([apiA.graphqlUrl]);
    const dpz = subscribe<SignalEvent>(onA.client, SIGNALS, { t: ['DPZ'] });
    await new Promise((r) => setTimeout(r, 1000)); // subscribed on A
    expect(onA.connectedTo).toEqual([apiA.graphqlUrl.replace(/^http/, 'ws')]);
    const imported = await gql<{ importArticles: { insertedIds: string[] } }>(apiB.graphqlUrl, IMPORT, { items: articles('DPZ', 3, 'a-b') });
    expect(imported.errors).toBeUndefined();
    const event = await dpz.next(undefined, 90_000);
    expect(event.data!.signalCreated.ticker).toBe('DPZ');
    expect(event.data!.signalCreated.articles.map((a) => a.id).sort()).toEqual([...imported.data!.importArticles.insertedIds].sort());
  });

  it('a rate limit holds across both API processes', async () => {
    const user = await createIdentity(db, Role.USER);
    const me = (url: string) => gql<{ me: { id: string } }>(url, '{ me { id } }', undefined, user.headers);
    // 30 per minute: 30 at once, split over A and B, all pass; the next one fails on either.
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => me(i % 2 === 0 ? apiA.graphqlUrl : apiB.graphqlUrl)));
    expect(burst.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code)).toEqual([]);
    for (const url of [apiA.graphqlUrl, apiB.graphqlUrl]) expect((await me(url)).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  it('killing API A drops only its sockets; its clients reconnect to B and keep receiving', async () => {
    const wsA = apiA.graphqlUrl.replace(/^http/, 'ws');
    const wsB = apiB.graphqlUrl.replace(/^http/, 'ws');
    const movers = ws([apiA.graphqlUrl, apiB.graphqlUrl]);
    const stayer = ws([apiB.graphqlUrl]);
    const moved = subscribe<SignalEvent>(movers.client, SIGNALS, { t: ['HSY'] });
    const stayed = subscribe<SignalEvent>(stayer.client, SIGNALS, { t: ['HSY'] });
    const deadline = Date.now() + 30_000;
    while ((movers.connectedTo.length === 0 || stayer.connectedTo.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(movers.connectedTo).toEqual([wsA]);
    expect(stayer.connectedTo).toEqual([wsB]);

    await kill(apiA.child); // SIGKILL: no goodbye to its clients
    while (movers.connectedTo.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(movers.closed).toBeGreaterThanOrEqual(1);
    expect(movers.connectedTo.at(-1)).toBe(wsB);
    expect(stayer.closed).toBe(0); // B's own socket never noticed
    await new Promise((r) => setTimeout(r, 1000)); // re-subscribed on B

    const imported = await gql<{ importArticles: { insertedIds: string[] } }>(apiB.graphqlUrl, IMPORT, { items: articles('HSY', 3, 'failover') });
    expect(imported.errors).toBeUndefined();
    const [a, b] = await Promise.all([moved.next(undefined, 90_000), stayed.next(undefined, 90_000)]);
    expect(a.data!.signalCreated.id).toBe(b.data!.signalCreated.id);
    expect(stayer.closed).toBe(0);
  });

  it('killing worker 1 mid-work loses and duplicates nothing', async () => {
    const tickers = ['CLX', 'MKC', 'KMB', 'GIS'];
    const created = await gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      apiB.graphqlUrl,
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }',
      { input: { url: receiver.url('/replicas'), tickers } },
    );
    expect(created.errors).toBeUndefined();
    receiver.setSecret('/replicas', created.data!.createWebhookEndpoint.secret);
    const listener = ws([apiB.graphqlUrl]);
    const events = subscribe<SignalEvent>(listener.client, SIGNALS, { t: tickers });
    await new Promise((r) => setTimeout(r, 1000));

    const [{ t0 }] = await db.query(`SELECT now() AS t0`);
    const items = tickers.flatMap((t) => articles(t, 3, 'worker-kill'));
    const imported = await gql<{ importArticles: { insertedIds: string[] } }>(apiB.graphqlUrl, IMPORT, { items });
    expect(imported.errors).toBeUndefined();
    const ids = imported.data!.importArticles.insertedIds;
    expect(ids).toHaveLength(12);
    // Worker 1 dies while the batch is being scored and signalled; worker 2 serves scoring and alerts too.
    await new Promise((r) => setTimeout(r, 300));
    await kill(worker1);

    const signalsInDb = async () =>
      (await db.query(`SELECT id FROM signals WHERE ticker = ANY($1) AND created_at >= $2`, [tickers, t0])) as Array<{ id: string }>;
    // Settled: every stored signal has reached the subscriber and the receiver, and nothing new for 3 s.
    let stableSince = Date.now();
    let last = -1;
    const deadline = Date.now() + 150_000;
    for (;;) {
      const stored = await signalsInDb();
      const delivered = new Set(receiver.processed('/replicas').map((r) => (r.json.data as { id: string }).id));
      const heard = new Set(events.received.map((e) => e.data?.signalCreated.id));
      // A POST made by the killed worker is recorded by the retried round on worker 2, seconds later.
      const [{ succeeded }] = await db.query(`SELECT count(*)::int AS succeeded FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'SUCCEEDED'`, [created.data!.createWebhookEndpoint.endpoint.id]);
      const settled = stored.length >= tickers.length && stored.every((s) => delivered.has(s.id) && heard.has(s.id)) && succeeded >= stored.length;
      if (stored.length !== last || !settled) {
        last = stored.length;
        stableSince = Date.now();
      }
      if ((settled && Date.now() - stableSince > 3000) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const stored = await signalsInDb();
    // Nothing lost: every article scored once by the fast tier, every ticker has its signal, and
    // every signal reached the subscriber and the webhook receiver.
    const [{ scored, rows }] = await db.query(`SELECT count(DISTINCT article_id)::int AS scored, count(*)::int AS rows FROM sentiment_scores WHERE article_id = ANY($1) AND tier = 'fast'`, [ids]);
    expect({ scored, rows }).toEqual({ scored: 12, rows: 12 });
    const storedIds = stored.map((s) => s.id).sort();
    expect(new Set((await db.query(`SELECT DISTINCT ticker FROM signals WHERE id = ANY($1)`, [storedIds])).map((r: { ticker: string }) => r.ticker))).toEqual(new Set(tickers));
    // Nothing duplicated: one subscription event per signal, one delivery (id) per signal, every POST verified.
    const heard = events.received.map((e) => e.data!.signalCreated.id);
    expect([...heard].sort()).toEqual(storedIds);
    const processed = receiver.processed('/replicas');
    expect(processed.map((r) => (r.json.data as { id: string }).id).sort()).toEqual(storedIds);
    expect(processed.every((r) => r.verified)).toBe(true);
    const [{ deliveries }] = await db.query(`SELECT count(*)::int AS deliveries FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'SUCCEEDED'`, [created.data!.createWebhookEndpoint.endpoint.id]);
    expect(deliveries).toBe(storedIds.length);
  });
});
