import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ComputeSignalsResult } from '../../contracts';
import { Role } from '../../entities';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { workflowQueue } from '../../domain/task-queues';

const unique = () => `Z${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
const DAY = 86_400_000;
const start = Date.UTC(2011, 2, 1);

describe('typed signal features, correlation and sector sentiment over GraphQL', () => {
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  let db: DataSource;
  let admin: TestIdentity;
  let user: TestIdentity;
  const [A, B, C] = [unique(), unique(), unique()];
  const sector = `Test Sector ${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    db = stack.api.db;
    admin = await createIdentity(db, Role.ADMIN);
    user = await createIdentity(db, Role.USER);
  });
  afterAll(async () => {
    for (const s of [A, B]) await stack.gql('mutation($s: String!) { removeInstrument(symbol: $s) }', { s }, admin.headers);
    await temporal.close();
    await stack.stop();
  });

  async function bars(ticker: string, closes: number[], volumes?: number[]) {
    for (let i = 0; i < closes.length; i++) {
      const c = closes[i]!;
      await db.query(`INSERT INTO price_bars (ticker, interval, time, open, high, low, close, volume) VALUES ($1, '1d', $2, $3, $4, $5, $3, $6)`, [
        ticker,
        new Date(start + i * DAY).toISOString(),
        c,
        c * 1.01,
        c * 0.99,
        volumes?.[i] ?? 1000,
      ]);
    }
  }
  async function article(ticker: string, publishedAt: Date, score: number, relevance = 1): Promise<string> {
    const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`, [
      createHash('sha256').update(randomUUID()).digest('hex'),
      `${ticker} news`,
      publishedAt.toISOString(),
    ]);
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, $3, '{cashtag}', $4)`, [id, ticker, relevance, publishedAt.toISOString()]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'hl-test', $2, $3)`, [id, score > 0 ? 'positive' : 'negative', score]);
    return id;
  }

  it('correlates daily returns: a doubled return series is +1, an inverted one -1', async () => {
    const logs = [0.01, -0.02, 0.015, 0.003, -0.007, 0.012, -0.004, 0.009];
    const path = (k: number) => logs.reduce((acc, r) => [...acc, acc[acc.length - 1]! * Math.exp(k * r)], [100]);
    await bars(A, path(1));
    await bars(B, path(2));
    await bars(C, path(-1));
    const q = 'query($t: [String!]!, $f: DateTimeISO!, $to: DateTimeISO!, $of: CorrelationOf) { correlation(tickers: $t, from: $f, to: $to, of: $of) { tickers of matrix observations } }';
    const r = await stack.gql<{ correlation: { tickers: string[]; of: string; matrix: (number | null)[][]; observations: number[][] } }>(
      q,
      { t: [A.toLowerCase(), B, C], f: new Date(start).toISOString(), to: new Date(start + 30 * DAY).toISOString(), of: 'RETURNS' },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    const { tickers, matrix, observations } = r.data!.correlation;
    expect(tickers).toEqual([A, B, C]);
    expect(observations).toEqual([[8, 8, 8], [8, 8, 8], [8, 8, 8]]);
    expect(matrix[0]![0]).toBeCloseTo(1, 9);
    expect(matrix[0]![1]).toBeCloseTo(1, 9);
    expect(matrix[0]![2]).toBeCloseTo(-1, 9);
    expect(matrix[1]![2]).toBeCloseTo(-1, 9);

    const bad = await stack.gql(q, { t: [A], f: new Date(start).toISOString(), to: new Date(start + DAY).toISOString() }, user.headers);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
  });

  it('correlates daily sentiment and aggregates it by GICS sector', async () => {
    const d = (i: number, h = 12) => new Date(start + i * DAY + h * 3_600_000);
    // Daily means A: 0.5, -0.2, 0.3 (day 1 is two articles: 0.6 and 0.4); B: 0.4, -0.4, 0.1; plus a day A has alone.
    await article(A, d(1), 0.6);
    await article(A, d(1, 15), 0.4);
    await article(A, d(2), -0.2);
    await article(A, d(3), 0.3);
    await article(A, d(4), 0.9);
    await article(B, d(1), 0.4);
    await article(B, d(2), -0.4);
    await article(B, d(3), 0.1);
    const q = 'query($t: [String!]!, $f: DateTimeISO!, $to: DateTimeISO!) { correlation(tickers: $t, from: $f, to: $to, of: SENTIMENT) { matrix observations } }';
    const r = await stack.gql<{ correlation: { matrix: (number | null)[][]; observations: number[][] } }>(q, { t: [A, B, C], f: d(0).toISOString(), to: d(10).toISOString() }, user.headers);
    expect(r.errors).toBeUndefined();
    // x = 0.5, -0.2, 0.3 (mean 0.2); y = 0.4, -0.4, 0.1 (mean 0.0333): sxy = 0.3*0.3667 + (-0.4)(-0.4333) + 0.1*0.0667 = 0.11 + 0.17333 + 0.00667 = 0.29
    // sxx = 0.09 + 0.16 + 0.01 = 0.26; syy = 0.13444 + 0.18778 + 0.00444 = 0.32667; r = 0.29 / sqrt(0.26 * 0.32667) = 0.29 / 0.291433 = 0.995082
    expect(r.data!.correlation.matrix[0]![1]).toBeCloseTo(0.995082, 5);
    expect(r.data!.correlation.observations[0]).toEqual([4, 3, 0]);
    expect(r.data!.correlation.matrix[0]![2]).toBeNull(); // C has no sentiment at all

    for (const s of [A, B]) {
      const added = await stack.gql('mutation($i: InstrumentInput!) { addInstrument(input: $i) { symbol } }', { i: { symbol: s, name: `Instrument ${s}`, sector } }, admin.headers);
      expect(added.errors).toBeUndefined();
    }
    const sectors = await stack.gql<{ sectorSentiment: Array<{ sector: string; articles: number; tickers: number; meanScore: number; positiveShare: number; negativeShare: number }> }>(
      'query($f: DateTimeISO!, $to: DateTimeISO!) { sectorSentiment(from: $f, to: $to) { sector articles tickers meanScore positiveShare negativeShare } }',
      { f: d(0).toISOString(), to: d(10).toISOString() },
      user.headers,
    );
    expect(sectors.errors).toBeUndefined();
    const mine = sectors.data!.sectorSentiment.find((s) => s.sector === sector)!;
    // 8 articles, scores 0.6 0.4 -0.2 0.3 0.9 0.4 -0.4 0.1 (relevance 1): mean 2.1 / 8; 6 positive, 2 negative
    expect(mine).toEqual({ sector, articles: 8, tickers: 2, meanScore: expect.closeTo(2.1 / 8, 6), positiveShare: 0.75, negativeShare: 0.25 });
  });

  it('exposes SMA, EMA, RSI, MACD, volatility, Hurst, news intensity and VSA as typed fields of a signal', async () => {
    const T = unique();
    const closes = Array.from({ length: 80 }, (_, i) => 100 + 10 * Math.sin(i / 5) + i * 0.2);
    const volumes = closes.map((_, i) => (i === 79 ? 500 : 1000 + 50 * (i % 3)));
    await bars(T, closes, volumes);
    const asOf = new Date(start + 79 * DAY + 20 * 3_600_000);
    const hoursBefore = (h: number) => new Date(asOf.getTime() - h * 3_600_000);
    for (const h of [300, 250, 200, 150, 100, 60]) await article(T, hoursBefore(h), 0.2);
    for (const h of [3, 2, 1.5, 1, 0.5]) await article(T, hoursBefore(h), 0.7);
    const result = (await temporal.client.workflow.execute('computeSignalsWorkflow', {
      taskQueue: workflowQueue(stack.config.taskQueue, 'computeSignalsWorkflow'),
      workflowId: `signals-${randomUUID()}`,
      args: [{ tickers: [T], asOf: asOf.toISOString() }],
    })) as ComputeSignalsResult;
    expect(result.signals).toHaveLength(1);
    const r = await stack.gql<{
      signal: {
        technical: Record<string, number | null>;
        newsIntensity: { events: number; baseline: number; branchingRatio: number; currentIntensity: number; intensityRatio: number; windowHours: number };
        vsa: { lastClass: string; recentBars: number; counts: Record<string, number>; bias: number };
      };
    }>(
      `query($id: ID!) { signal(id: $id) {
        technical { barsUsed lastClose smaFast smaSlow smaCross emaFast emaSlow emaCross rsi macdLine macdSignal macdHistogram volatility hurst score }
        newsIntensity { windowHours events baseline branchingRatio decayPerHour currentIntensity intensityRatio logLikelihood }
        vsa { lastBarTime lastClass recentBars bias counts { buyingClimax sellingClimax test noSupply noDemand none } } } }`,
      { id: result.signals[0]!.id },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    const { technical, newsIntensity, vsa } = r.data!.signal;
    const last = (n: number) => closes.slice(-n).reduce((a, b) => a + b, 0) / n;
    expect(technical.barsUsed).toBe(80);
    expect(technical.lastClose).toBeCloseTo(closes[79]!, 9);
    expect(technical.smaFast).toBeCloseTo(last(20), 9);
    expect(technical.smaSlow).toBeCloseTo(last(50), 9);
    expect(technical.smaCross).toBe(Math.sign(last(20) - last(50)));
    for (const k of ['emaFast', 'emaSlow', 'rsi', 'macdLine', 'macdSignal', 'macdHistogram', 'volatility', 'hurst']) expect(typeof technical[k]).toBe('number');
    expect(technical.macdHistogram).toBeCloseTo(technical.macdLine! - technical.macdSignal!, 9);
    expect(newsIntensity).toMatchObject({ windowHours: 336, events: 11 });
    expect(newsIntensity.intensityRatio).toBeGreaterThan(1);
    // The last bar: the close dips (sin turns down), so its low (0.99 x close) is below the previous low, on volume 500
    // below the two bars before and under the average, closing mid-range ((c - 0.99c) / 0.02c = 0.5): a test.
    expect(vsa.recentBars).toBe(20);
    expect(vsa.lastClass).toBe('test');
    expect(Object.values(vsa.counts).reduce((a, b) => a + b, 0)).toBe(20);
  });
});
