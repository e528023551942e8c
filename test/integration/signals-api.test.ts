import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sharedDataPath } from '../../config/paths';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, subscribe, type TestStack } from '../support/stack';
import { kill, startApiChild } from '../support/worker-child-process';

type SignalEvent = { signalCreated: { id: string; ticker: string; type: string; confidence: number; modelVersions: string[]; articles: Array<{ id: string }> } };

describe('signals, live subscriptions on every API replica, prices and backtests over GraphQL', () => {
  let stack: TestStack;
  let replica: { child: ChildProcess; graphqlUrl: string };
  let admin: TestIdentity;
  const sockets: WsClient[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ worker: true }); // API process 1 and the worker
    replica = await startApiChild(stack.config.taskQueue); // API process 2
    admin = await createIdentity(stack.api.db, Role.ADMIN);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
    await kill(replica.child);
    await stack.stop();
  });

  function wsTo(graphqlUrl: string): WsClient {
    const client = createClient({ url: graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: admin.params, retryAttempts: 0 });
    sockets.push(client);
    return client;
  }
  const connected = (c: WsClient) => new Promise<void>((r) => c.on('connected', () => r()));

  it('a signal computed by the worker reaches subscribers of its ticker on both API processes, and only them', async () => {
    const onOne = wsTo(stack.graphqlUrl);
    const onTwo = wsTo(replica.graphqlUrl);
    const query = 'subscription($t: [String!]!, $c: Float) { signalCreated(tickers: $t, minConfidence: $c) { id ticker type confidence modelVersions articles { id } } }';
    const xomOne = subscribe<SignalEvent>(onOne, query, { t: ['xom'] });
    const xomTwo = subscribe<SignalEvent>(onTwo, query, { t: ['XOM', 'GOOGL'] });
    const msftTwo = subscribe<SignalEvent>(onTwo, query, { t: ['MSFT'] });
    const tooStrict = subscribe<SignalEvent>(onOne, query, { t: ['XOM'], c: 0.9999 });
    await Promise.all([connected(onOne), connected(onTwo)]);
    await new Promise((r) => setTimeout(r, 300)); // subscriptions registered on both processes
    // XOM: no other test file stores news about it, so this signal and its provenance are ours alone
    // (the test files share one database).

    const now = Date.now();
    const items = ['surges to a record high on blowout earnings', 'raises dividend after strong quarter', 'beats revenue estimates, shares jump'].map((t, i) => ({
      title: `$XOM ${t}`,
      url: `https://signals.example/xom/${now}/${i}`,
      publishedAt: new Date(now - (i + 1) * 60_000).toISOString(),
    }));
    const imported = await stack.gql<{ importArticles: { insertedIds: string[] } }>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }',
      { items },
      admin.headers,
    );
    const ids = imported.data!.importArticles.insertedIds;
    expect(ids).toHaveLength(3);

    const [one, two] = await Promise.all([xomOne.next(undefined, 60_000), xomTwo.next(undefined, 60_000)]);
    expect(one.errors).toBeUndefined();
    const signal = one.data!.signalCreated;
    expect(two.data!.signalCreated.id).toBe(signal.id);
    expect(signal.ticker).toBe('XOM');
    expect(['BUY', 'SELL', 'HOLD']).toContain(signal.type);
    expect(signal.confidence).toBeGreaterThanOrEqual(0);
    expect(signal.confidence).toBeLessThanOrEqual(1);
    expect(signal.modelVersions.length).toBeGreaterThan(0);
    expect(signal.articles.map((a) => a.id).sort()).toEqual([...ids].sort());
    await new Promise((r) => setTimeout(r, 500));
    expect(msftTwo.received).toHaveLength(0);
    expect(tooStrict.received).toHaveLength(0);
    // Each subscriber got exactly one message for the one signal, and a completed subscription
    // gets nothing more.
    expect(xomOne.received).toHaveLength(1);
    expect(xomTwo.received).toHaveLength(1);
    xomOne.dispose();
    await new Promise((r) => setTimeout(r, 200));
    await stack.gql('mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }', {
      items: [{ title: '$XOM extends its rally on upbeat outlook', url: `https://signals.example/xom/${now}/late`, publishedAt: new Date(now).toISOString() }],
    }, admin.headers);
    await xomTwo.next((e) => e.data?.signalCreated.id !== signal.id, 60_000);
    expect(xomOne.received).toHaveLength(1);

    const listed = await stack.gql<{ signals: { edges: Array<{ node: { id: string } }> } }>(
      'query { signals(filter: { tickers: ["XOM"], minConfidence: 0 }, first: 5) { edges { node { id } } } }',
      undefined,
      admin.headers,
    );
    expect(listed.data!.signals.edges.map((e) => e.node.id)).toContain(signal.id);
    const past = await stack.gql<{ signals: { edges: unknown[] } }>('query { signals(filter: { tickers: ["XOM"], asOf: "2000-01-01T00:00:00Z" }, first: 5) { edges { cursor } } }', undefined, admin.headers);
    expect(past.data!.signals.edges).toEqual([]);
    const csv = await stack.gql<{ signalsCsv: string }>('query { signalsCsv(filter: { tickers: ["XOM"] }) }', undefined, admin.headers);
    const lines = csv.data!.signalsCsv.trim().split('\n');
    expect(lines[0]).toBe('id,ticker,as_of,type,confidence,risk_level,suggested_position_size,model_versions,created_at');
    expect(lines.some((l) => l.startsWith(signal.id))).toBe(true);
    const series = await stack.gql<{ tickerSentiment: Array<{ count: number; meanScore: number; positiveShare: number }> }>(
      'query($from: DateTimeISO!, $to: DateTimeISO!) { tickerSentiment(ticker: "XOM", from: $from, to: $to, interval: HOUR) { bucketStart count meanScore positiveShare } }',
      { from: new Date(now - 3 * 3600_000).toISOString(), to: new Date(now + 60_000).toISOString() },
      admin.headers,
    );
    expect(series.errors).toBeUndefined();
    expect(series.data!.tickerSentiment.reduce((n, b) => n + b.count, 0)).toBeGreaterThanOrEqual(3);
    const articlesCsv = await stack.gql<{ articlesCsv: string }>('query { articlesCsv(filter: { tickers: ["XOM"] }) }', undefined, admin.headers);
    expect(articlesCsv.data!.articlesCsv.split('\n')[0]).toBe('id,published_at,title,url,tickers,sentiment_label,sentiment_score,model_version');
  }, 120_000);

  it('prices imported over GraphQL feed a backtest whose progress streams until it completes', async () => {
    const csv = fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8');
    const imported = await stack.gql<{ importPrices: { bars: number; inserted: number; rejected: unknown[] } }>(
      'mutation($csv: String!) { importPrices(ticker: "spy", csv: $csv) { bars inserted rejected { line reason } } }',
      { csv },
      admin.headers,
    );
    expect(imported.errors).toBeUndefined();
    expect(imported.data!.importPrices.bars).toBeGreaterThan(5000);
    const user = await createIdentity(stack.api.db, Role.USER);
    const forbidden = await stack.gql('mutation { importPrices(ticker: "SPY", csv: "date,close\\n2020-01-01,1") { bars } }', undefined, user.headers);
    expect(forbidden.errors![0].extensions!.code).toBe('FORBIDDEN');

    const started = await stack.gql<{ runBacktest: { id: string; status: string; workflowId: string } }>(
      `mutation { runBacktest(input: { ticker: "SPY", from: "2015-01-01T00:00:00Z", to: "2020-01-01T00:00:00Z", strategy: SENTIMENT_THRESHOLD,
         enter: 0.2, exit: 0, windowHours: 72, costBps: 5, slippageBps: 2, permutations: 40, seed: 7 }) { id status workflowId } }`,
      undefined,
      admin.headers,
    );
    expect(started.errors).toBeUndefined();
    const { id, workflowId } = started.data!.runBacktest;
    expect(workflowId).toBe(`backtest-${id}`);
    const progress = subscribe<{ backtestProgress: { done: number; total: number; status: string | null } }>(
      wsTo(stack.graphqlUrl),
      'subscription($id: ID!) { backtestProgress(id: $id) { done total status } }',
      { id },
    );
    const final = await stack.gql<{ backtest: { status: string } }>('query($id: ID!) { backtest(id: $id) { status } }', { id }, admin.headers);
    if (!['COMPLETED', 'FAILED'].includes(final.data!.backtest.status)) {
      await progress.next((e) => ['COMPLETED', 'FAILED'].includes(e.data?.backtestProgress.status ?? ''), 90_000);
    }
    const done = await stack.gql<{ backtest: { status: string; error: string | null; metrics: Record<string, unknown>; equityCurve: unknown[]; pValue: number } }>(
      'query($id: ID!) { backtest(id: $id) { status error metrics equityCurve pValue } }',
      { id },
      admin.headers,
    );
    expect(done.data!.backtest).toMatchObject({ status: 'COMPLETED', error: null });
    expect(done.data!.backtest.metrics).toHaveProperty('sharpe');
    expect(done.data!.backtest.equityCurve.length).toBeGreaterThan(10);
    expect(done.data!.backtest.pValue).toBeGreaterThan(0);
    expect(done.data!.backtest.pValue).toBeLessThanOrEqual(1);
    // The same stored result, typed.
    type Typed = {
      result: Record<string, unknown> & { permutationTest: Record<string, unknown>; warnings: string[] };
      equity: Array<{ time: string; equity: number }>;
      settings: Record<string, unknown>;
    };
    const typed = await stack.gql<{ backtest: Typed }>(
      `query($id: ID!) { backtest(id: $id) {
         result { totalReturn cagr sharpe sortino calmar maxDrawdown maxDrawdownDurationBars trades winRate profitFactor exposure costsPaid bars warnings
                  permutationTest { statistic observed permutations atLeastAsGood pValue } }
         equity { time equity }
         settings { ticker strategy enter exit windowHours costBps slippageBps sizing execution statistic permutations seed } } }`,
      { id },
      admin.headers,
    );
    expect(typed.errors).toBeUndefined();
    const t = typed.data!.backtest;
    const m = done.data!.backtest.metrics as Record<string, unknown> & { permutation: Record<string, unknown> };
    for (const k of ['totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationBars', 'trades', 'winRate', 'profitFactor', 'exposure', 'costsPaid', 'bars']) {
      expect(t.result[k]).toEqual(m[k] ?? null);
    }
    expect(t.result.permutationTest).toEqual({ statistic: m.permutation.statistic, observed: m.permutation.observed, permutations: m.permutation.permutations, atLeastAsGood: m.permutation.atLeastAsGood, pValue: done.data!.backtest.pValue });
    expect(Array.isArray(t.result.warnings)).toBe(true);
    expect(t.equity.length).toBe(done.data!.backtest.equityCurve.length);
    const [t0, e0] = done.data!.backtest.equityCurve[0] as [number, number];
    expect(t.equity[0]).toEqual({ time: new Date(t0).toISOString(), equity: e0 });
    expect(t.settings).toMatchObject({ ticker: 'SPY', strategy: 'sentimentThreshold', sizing: 'fixed', execution: 'next-open', statistic: 'sharpe' });
    const compared = await stack.gql<{ compareBacktests: Array<{ id: string; maxDrawdown: number | null }> }>(
      'query($ids: [ID!]!) { compareBacktests(ids: $ids) { id maxDrawdown sharpe trades } }',
      { ids: [id] },
      admin.headers,
    );
    expect(compared.data!.compareBacktests[0].id).toBe(id);

    // The price-only baseline from the strategy registry, over the same period, beside it.
    const sma = await stack.gql<{ runBacktest: { id: string } }>(
      `mutation { runBacktest(input: { ticker: "SPY", from: "2015-01-01T00:00:00Z", to: "2020-01-01T00:00:00Z", strategy: SMA_CROSSOVER, fastWindow: 20, slowWindow: 100, costBps: 5, slippageBps: 2, permutations: 0 }) { id } }`,
      undefined,
      admin.headers,
    );
    expect(sma.errors).toBeUndefined();
    const smaId = sma.data!.runBacktest.id;
    type SmaRun = { status: string; settings: { strategy: string; fastWindow: number | null; slowWindow: number | null; enter: number | null }; result: { trades: number | null } | null };
    const smaQuery = 'query($id: ID!) { backtest(id: $id) { status settings { strategy fastWindow slowWindow enter } result { trades } } }';
    let smaRun: SmaRun | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      smaRun = (await stack.gql<{ backtest: SmaRun }>(smaQuery, { id: smaId }, admin.headers)).data!.backtest;
      if (!['PENDING', 'RUNNING'].includes(smaRun.status)) break;
    }
    expect(smaRun).toMatchObject({ status: 'COMPLETED', settings: { strategy: 'smaCrossover', fastWindow: 20, slowWindow: 100, enter: null } });
    expect(smaRun!.result!.trades).toBeGreaterThan(0);
    const side = await stack.gql<{ compareBacktests: Array<{ strategy: string }> }>('query($ids: [ID!]!) { compareBacktests(ids: $ids) { strategy } }', { ids: [id, smaId] }, admin.headers);
    expect(side.data!.compareBacktests.map((r) => r.strategy)).toEqual(['sentimentThreshold', 'smaCrossover']);
    const badSma = await stack.gql('mutation { runBacktest(input: { ticker: "SPY", from: "2015-01-01T00:00:00Z", to: "2020-01-01T00:00:00Z", strategy: SMA_CROSSOVER, fastWindow: 100, slowWindow: 20 }) { id } }', undefined, admin.headers);
    expect(badSma.errors![0]).toMatchObject({ message: expect.stringMatching(/slowWindow: must be above fastWindow/), extensions: { code: 'BAD_USER_INPUT', field: 'strategy.slowWindow' } });

    const bad = await stack.gql('mutation { runBacktest(input: { ticker: "SPY", from: "2020-01-01T00:00:00Z", to: "2015-01-01T00:00:00Z", strategy: SIGNALS }) { id } }', undefined, admin.headers);
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  }, 120_000);
  it('sweeps, walk-forward and signal replays over GraphQL (typed results, clear errors)', async () => {
    // SPY bars are in from the test above; this ticker has no news: every result must say so.
    const base = 'base: { ticker: "SPY", from: "2016-01-01T00:00:00Z", to: "2019-01-01T00:00:00Z", strategy: SENTIMENT_THRESHOLD, enter: 0.2, exit: 0, windowHours: 24 }';
    const started = await stack.gql<{ runParameterSweep: { id: string; status: string; configsTotal: number } }>(
      `mutation { runParameterSweep(input: { ${base}, ranges: { enter: [0.1, 0.3], costBps: [0, 10] }, permutations: 20, seed: 3 }) { id status configsTotal } }`,
      undefined,
      admin.headers,
    );
    expect(started.errors).toBeUndefined();
    expect(started.data!.runParameterSweep.configsTotal).toBe(4);
    const id = started.data!.runParameterSweep.id;
    type Sweep = { status: string; configsDone: number; pValue: number | null; pValueBestAlone: number | null; ranked: Array<{ rank: number; parameters: Array<{ name: string; value: number }>; statistic: number; metrics: { trades: number; warnings: string[] } }> };
    const query = `query($id: ID!) { parameterSweep(id: $id) { status configsDone pValue pValueBestAlone ranked(first: 10) { rank parameters { name value } statistic metrics { trades warnings } } } }`;
    let sweep: Sweep | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      sweep = (await stack.gql<{ parameterSweep: Sweep }>(query, { id }, admin.headers)).data!.parameterSweep;
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(sweep.status)) break;
    }
    expect(sweep!.status).toBe('COMPLETED');
    expect(sweep!.configsDone).toBe(4);
    expect(sweep!.ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(sweep!.ranked[0].parameters.map((p) => p.name).sort()).toEqual(['costBps', 'enter']);
    expect(sweep!.ranked.every((r) => r.metrics.trades === 0 && r.metrics.warnings.some((w) => /no sentiment observations/.test(w)))).toBe(true);
    expect(sweep!.pValue!).toBeGreaterThanOrEqual(sweep!.pValueBestAlone!);

    const bad = await stack.gql(`mutation { runParameterSweep(input: { ${base}, ranges: { exit: [0.9] } }) { id } }`, undefined, admin.headers);
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toMatch(/no valid configuration/);

    const wf = await stack.gql<{ runWalkForward: { id: string } }>(
      `mutation { runWalkForward(input: { ${base}, ranges: { enter: [0.1, 0.3] }, inSampleBars: 250, outOfSampleBars: 100 }) { id } }`,
      undefined,
      admin.headers,
    );
    expect(wf.errors).toBeUndefined();
    type Wf = { status: string; walkForward: { outOfSampleBars: number; windows: Array<{ index: number; chosen: Array<{ name: string }> }>; metrics: { totalReturn: number }; equity: Array<{ equity: number }> } | null };
    let walk: Wf | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      walk = (await stack.gql<{ parameterSweep: Wf }>('query($id: ID!) { parameterSweep(id: $id) { status walkForward { outOfSampleBars windows { index chosen { name } } metrics { totalReturn } equity { equity } } } }', { id: wf.data!.runWalkForward.id }, admin.headers)).data!.parameterSweep;
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(walk.status)) break;
    }
    expect(walk!.status).toBe('COMPLETED');
    expect(walk!.walkForward!.windows.length).toBeGreaterThan(3);
    expect(walk!.walkForward!.metrics.totalReturn).toBe(0); // never in the market without news
    expect(walk!.walkForward!.equity.every((p) => p.equity === 1)).toBe(true);

    const replay = await stack.gql<{ replaySignals: { id: string; status: string; rulesVersion: string } }>(
      'mutation { replaySignals(input: { tickers: ["spy"], from: "2016-01-01T00:00:00Z", to: "2016-03-01T00:00:00Z" }) { id status rulesVersion } }',
      undefined,
      admin.headers,
    );
    expect(replay.errors).toBeUndefined();
    expect(replay.data!.replaySignals.rulesVersion).toMatch(/^r\d+-[0-9a-f]{8}$/);
    type Replay = { status: string; chunksDone: number; chunksTotal: number; points: number; written: number };
    let r: Replay | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((res) => setTimeout(res, 200))) {
      r = (await stack.gql<{ signalReplay: Replay }>('query($id: ID!) { signalReplay(id: $id) { status chunksDone chunksTotal points written } }', { id: replay.data!.replaySignals.id }, admin.headers)).data!.signalReplay;
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.status)) break;
    }
    expect(r).toMatchObject({ status: 'COMPLETED', chunksDone: 1, chunksTotal: 1 });
    // Every bar close was a decision time; no news, so each is a price-only signal from the bars.
    expect(r!.points).toBeGreaterThan(30);
    expect(r!.written).toBe(r!.points);
    const badReplay = await stack.gql('mutation { replaySignals(input: { tickers: ["$$"], from: "2016-01-01T00:00:00Z", to: "2016-03-01T00:00:00Z" }) { id } }', undefined, admin.headers);
    expect(badReplay.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  }, 180_000);
});
