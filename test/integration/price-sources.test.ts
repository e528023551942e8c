import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PriceFetchResult } from '../../contracts';
import { sharedDataPath } from '../../config/paths';
import type { SignalFeatures } from '../../domain/signals';
import { Role } from '../../entities';
import { DAILY_RECOMPUTE_SCHEDULE, priceScheduleId } from '../../services/price-source.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV } from '../support/feed-fixtures';
import { scoredNews, uniqueTicker } from '../support/signal-fixtures';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { workflowQueue } from '../../domain/task-queues';

type Source = { id: string; name: string; tickers: string[]; cron: string; format: string; lastRunAt: string | null; lastError: string | null; barsStored: number };
const SOURCE_FIELDS = 'id name urlTemplate format interval tickers cron lastRunAt lastError barsStored';

describe('market data on a schedule: price sources served from a local HTTP server', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let user: TestIdentity;
  let temporal: TemporalClientHandle;
  // Real shared price files under tickers no other test uses.
  const aapl = uniqueTicker('P');
  const spy = uniqueTicker('Q');
  const missing = uniqueTicker('M');
  const files: Record<string, string> = { [aapl]: 'AAPL_daily.tsv', [spy]: 'SPY_daily.csv' };
  // Generated bars (no shared file is recent): served as CSV text under a ticker with no news.
  const generated: Record<string, string> = {};
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.search);
    const symbol = url.searchParams.get('s') ?? '';
    if (generated[symbol] !== undefined && url.searchParams.get('i') === 'd') return void res.writeHead(200, { 'content-type': 'text/csv' }).end(generated[symbol]);
    const file = files[symbol];
    if (!file || url.searchParams.get('i') !== 'd') return void res.writeHead(404).end('no such symbol');
    res.writeHead(200, { 'content-type': 'text/csv' });
    fs.createReadStream(sharedDataPath('prices', file)).pipe(res);
  });
  let template: string;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    template = `http://127.0.0.1:${(server.address() as AddressInfo).port}/q?s={ticker}&i=d`;
    stack = await startTestStack({ worker: true, env: LOCAL_FEEDS_ENV });
    [admin, user] = await Promise.all([createIdentity(stack.api.db, Role.ADMIN), createIdentity(stack.api.db)]);
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await temporal.close();
    await stack.stop();
    server.closeAllConnections();
    server.close();
  });

  const add = (input: Record<string, unknown>, who = admin) =>
    stack.gql<{ addPriceSource: Source }>(`mutation($input: AddPriceSourceInput!) { addPriceSource(input: $input) { ${SOURCE_FIELDS} } }`, { input }, who.headers);

  /** The run a new source's schedule starts at once on create (triggerImmediately), followed to its result. */
  async function firstScheduledRun(sourceId: string): Promise<PriceFetchResult & { signals: number }> {
    let runId: string | undefined;
    for (const until = Date.now() + 30_000; !runId && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      runId = (await temporal.client.schedule.getHandle(priceScheduleId(sourceId)).describe()).info.recentActions[0]?.action.workflow.workflowId;
    }
    expect(runId).toBeDefined();
    return (await temporal.client.workflow.getHandle(runId!).result()) as PriceFetchResult & { signals: number };
  }

  it('admins add sources with a schedule; bad templates, internal destinations and non-admins are refused', async () => {
    expect((await add({ name: 'x', urlTemplate: template, tickers: [aapl] }, user)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const code = async (input: Record<string, unknown>) => (await add({ name: `bad-${Math.random()}`, tickers: [aapl], ...input })).errors?.[0];
    expect(await code({ urlTemplate: 'http://127.0.0.1:1/prices.csv' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'urlTemplate' }, message: expect.stringContaining('{ticker}') });
    expect(await code({ urlTemplate: 'http://169.254.169.254/{ticker}' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('metadata') });
    expect(await code({ urlTemplate: 'http://192.168.1.5/{ticker}' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await code({ urlTemplate: template, tickers: ['1BAD'] })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'tickers' } });
    expect(await code({ urlTemplate: template, cron: 'every day' })).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'cron' } });
  });

  it('fetches new bars idempotently, reports a failing ticker, recomputes the changed tickers\' signals, and the daily schedule recomputes every followed ticker', async () => {
    // Scored news for one ticker: a recompute after its bars land produces a signal with technical features.
    await scoredNews(stack.api.db, aapl, 0.8);
    const added = await add({ name: `local-${aapl}`, urlTemplate: template, tickers: [aapl.toLowerCase(), spy, missing], format: 'AUTO' });
    expect(added.errors).toBeUndefined();
    const source = added.data!.addPriceSource;
    expect(source).toMatchObject({ tickers: [aapl, missing, spy].sort(), cron: '15 22 * * 1-5', format: 'AUTO', barsStored: 0 });

    // The schedules exist: one per source (after the close, weekdays) and the daily recompute.
    const described = await temporal.client.schedule.getHandle(priceScheduleId(source.id)).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'fetchPricesWorkflow', taskQueue: `${stack.config.taskQueue}-ingest` });
    expect(described.spec.calendars?.length ?? 0).toBeGreaterThan(0);
    const daily = await temporal.client.schedule.getHandle(DAILY_RECOMPUTE_SCHEDULE).describe();
    expect(daily.action).toMatchObject({ workflowType: 'recomputeFollowedSignalsWorkflow' });

    // A new source is fetched at once (the schedule triggers immediately on create): follow that first run.
    const first = await firstScheduledRun(source.id);
    expect(first.changedTickers.sort()).toEqual([aapl, spy].sort());
    const byTicker = Object.fromEntries(first.results.map((r) => [r.ticker, r]));
    expect(byTicker[aapl]).toMatchObject({ inserted: 8696, updated: 0, rejected: 0 });
    expect(byTicker[spy]).toMatchObject({ inserted: 5241, updated: 0 });
    expect(byTicker[missing].error).toMatch(/^NOT_FOUND: HTTP 404/);
    expect(first.signals).toBe(1); // aapl has news; spy has none and its bars end in 2020 (not fresh), so it is skipped
    const [signal] = await stack.api.db.query(`SELECT features FROM signals WHERE ticker = $1 ORDER BY created_at DESC LIMIT 1`, [aapl]);
    expect(signal.features.technical.barsUsed).toBeGreaterThan(250);
    const [{ n }] = await stack.api.db.query('SELECT count(*)::int AS n FROM price_bars WHERE ticker = $1', [aapl]);
    expect(n).toBe(8696);

    const listed = await stack.gql<{ priceSources: Source[] }>(`{ priceSources { ${SOURCE_FIELDS} } }`, undefined, admin.headers);
    const health = listed.data!.priceSources.find((s) => s.id === source.id)!;
    expect(health).toMatchObject({ barsStored: 8696 + 5241, lastError: expect.stringContaining(`${missing}: NOT_FOUND`) });
    expect(health.lastRunAt).not.toBeNull();

    // The schedule's own trigger runs it again: nothing new is stored, nothing is recomputed.
    const before = requests.length;
    await temporal.client.schedule.getHandle(priceScheduleId(source.id)).trigger();
    const until = Date.now() + 30_000;
    let again: Source | undefined;
    while (Date.now() < until) {
      const l = await stack.gql<{ priceSources: Source[] }>(`{ priceSources { ${SOURCE_FIELDS} } }`, undefined, admin.headers);
      again = l.data!.priceSources.find((s) => s.id === source.id);
      if (again && again.lastRunAt !== health.lastRunAt) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(again!.lastRunAt).not.toBe(health.lastRunAt);
    expect(again!.barsStored).toBe(8696 + 5241);
    expect(requests.length - before).toBe(3);
    const [{ count }] = await stack.api.db.query('SELECT count(*)::int AS count FROM price_bars WHERE ticker = ANY($1)', [[aapl, spy]]);
    expect(count).toBe(8696 + 5241);

    // Run it now, outside the schedule (the same workflow): idempotent too.
    const run = await stack.gql<{ fetchPricesNow: string }>('mutation($id: ID!) { fetchPricesNow(id: $id) }', { id: source.id }, admin.headers);
    const manual = (await temporal.client.workflow.getHandle(run.data!.fetchPricesNow).result()) as PriceFetchResult;
    expect(manual.results.find((r) => r.ticker === aapl)).toMatchObject({ inserted: 0, rejected: 0 });

    // The daily recompute: every followed ticker, a fresh signal where there is news or fresh bars.
    const signalsBefore = (await stack.api.db.query('SELECT count(*)::int AS n FROM signals WHERE ticker = $1', [aapl]))[0].n;
    await temporal.client.schedule.getHandle(DAILY_RECOMPUTE_SCHEDULE).trigger();
    const deadline = Date.now() + 30_000;
    let signalsAfter = signalsBefore;
    while (signalsAfter === signalsBefore && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      signalsAfter = (await stack.api.db.query('SELECT count(*)::int AS n FROM signals WHERE ticker = $1', [aapl]))[0].n;
    }
    expect(signalsAfter).toBe(signalsBefore + 1);

    // setPriceSourceTickers and removePriceSource (its schedule goes with it).
    const set = await stack.gql<{ setPriceSourceTickers: Source }>(`mutation($id: ID!) { setPriceSourceTickers(id: $id, tickers: ["${aapl}"]) { tickers } }`, { id: source.id }, admin.headers);
    expect(set.data!.setPriceSourceTickers.tickers).toEqual([aapl]);
    const removed = await stack.gql<{ removePriceSource: boolean }>('mutation($id: ID!) { removePriceSource(id: $id) }', { id: source.id }, admin.headers);
    expect(removed.data!.removePriceSource).toBe(true);
    await expect(temporal.client.schedule.getHandle(priceScheduleId(source.id)).describe()).rejects.toThrow();
  }, 120_000);

  it('computeSignals(tickers, asOf) is admin-only, validates its input and computes on demand', async () => {
    const ticker = uniqueTicker();
    const asOf = new Date(Date.now() - 60_000);
    await scoredNews(stack.api.db, ticker, -0.8, asOf);
    const q = 'mutation($t: [String!]!, $a: DateTimeISO) { computeSignals(tickers: $t, asOf: $a) { asOf workflowId signals { id ticker type created } skipped { ticker reason } } }';
    expect((await stack.gql(q, { t: [ticker] }, user.headers)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await stack.gql(q, { t: [] }, admin.headers)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await stack.gql(q, { t: ['not a ticker'] }, admin.headers)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const r = await stack.gql<{ computeSignals: { asOf: string; workflowId: string; signals: Array<{ ticker: string; type: string; created: boolean }>; skipped: Array<{ ticker: string }> } }>(
      q,
      { t: [ticker.toLowerCase(), 'NONEWSX'], a: asOf.toISOString() },
      admin.headers,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.computeSignals).toMatchObject({ asOf: asOf.toISOString(), signals: [{ ticker, type: 'SELL', created: true }], skipped: [{ ticker: 'NONEWSX' }] });
    expect(r.data!.computeSignals.workflowId).toMatch(/^signals-manual-/);
    const again = await stack.gql<{ computeSignals: { signals: Array<{ created: boolean }> } }>(q, { t: [ticker], a: asOf.toISOString() }, admin.headers);
    expect(again.data!.computeSignals.signals).toEqual([expect.objectContaining({ created: false })]);
  });
  it('a followed ticker with fresh bars and no news gets a price-only signal when its bars land, and again from the daily recompute', async () => {
    const ticker = uniqueTicker('B');
    // 60 daily bars up to yesterday, closes +1 a day: SMA +1, EMA +1, MACD histogram 0, RSI 100 (-1):
    // T = 0.25 -> BUY at strength 0.5 x evidence 0.25 = 0.125 (domain/signals/README.md "No recent news").
    const day = 86_400_000;
    const yesterday = Math.floor(Date.now() / day) * day - day;
    const rows = Array.from({ length: 60 }, (_, i) => {
      const close = 101 + i;
      return `${new Date(yesterday - (59 - i) * day).toISOString().slice(0, 10)},${close - 1},${close},${close - 1},${close},1000`;
    });
    generated[ticker] = ['date,open,high,low,close,volume', ...rows].join('\n') + '\n';
    const added = await add({ name: `generated-${ticker}`, urlTemplate: template, tickers: [ticker], format: 'AUTO' });
    expect(added.errors).toBeUndefined();
    const source = added.data!.addPriceSource;
    try {
      // The fetch a new source gets at once, on create.
      const fetched = await firstScheduledRun(source.id);
      expect(fetched.changedTickers).toEqual([ticker]);
      expect(fetched.signals).toBe(1);
      const rowsOf = () =>
        stack.api.db.query(
          `SELECT s.id, s.as_of, s.type, s.confidence, s.model_versions, s.features, (SELECT count(*)::int FROM signal_articles sa WHERE sa.signal_id = s.id) AS articles
           FROM signals s WHERE s.ticker = $1 ORDER BY s.as_of`,
          [ticker],
        ) as Promise<Array<{ id: string; as_of: Date; type: string; confidence: number; model_versions: string[]; features: SignalFeatures; articles: number }>>;
      const [first] = await rowsOf();
      expect(first).toMatchObject({ type: 'BUY', model_versions: [], articles: 0 });
      expect(first.confidence).toBeCloseTo(0.125, 6);
      expect(first.features).toMatchObject({ basis: 'PRICE_ONLY', sentimentComponent: null, momentumComponent: null, technicalComponent: 0.25, evidence: 0.25 });
      expect(first.features.windows['1d']).toMatchObject({ count: 0, articles: 0, weightedMean: null });
      expect(first.features.technical).toMatchObject({ barsUsed: 60, lastBarTime: new Date(yesterday).toISOString() });

      // The same asOf again (a retry or a re-run): no second row.
      const q = 'mutation($t: [String!]!, $a: DateTimeISO) { computeSignals(tickers: $t, asOf: $a) { signals { id created } skipped { ticker reason } } }';
      const rerun = await stack.gql<{ computeSignals: { signals: Array<{ id: string; created: boolean }> } }>(q, { t: [ticker], a: new Date(first.as_of).toISOString() }, admin.headers);
      expect(rerun.data!.computeSignals.signals).toEqual([{ id: first.id, created: false }]);

      // The daily recompute (the workflow its schedule starts), at a later asOf: a fresh signal.
      const daily = (await temporal.client.workflow.execute('recomputeFollowedSignalsWorkflow', {
        taskQueue: workflowQueue(stack.config.taskQueue, 'recomputeFollowedSignalsWorkflow'),
        workflowId: `test-recompute-${ticker}`,
        args: [],
      })) as { tickers: number; signals: number };
      expect(daily.signals).toBeGreaterThanOrEqual(1);
      const after = await rowsOf();
      expect(after).toHaveLength(2);
      expect(new Date(after[1].as_of).getTime()).toBeGreaterThan(new Date(first.as_of).getTime());
      expect(after[1]).toMatchObject({ type: 'BUY', articles: 0, features: { basis: 'PRICE_ONLY' } });

      // Neither news nor fresh bars: still skipped, with the reason.
      const none = await stack.gql<{ computeSignals: { skipped: Array<{ ticker: string; reason: string }> } }>(q, { t: [spy], a: new Date().toISOString() }, admin.headers);
      expect(none.data!.computeSignals.skipped).toEqual([{ ticker: spy, reason: expect.stringMatching(/no scored articles.*no fresh daily bars/) }]);
    } finally {
      await stack.gql('mutation($id: ID!) { removePriceSource(id: $id) }', { id: source.id }, admin.headers);
    }
  }, 120_000);
});
