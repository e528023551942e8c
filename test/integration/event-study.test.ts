import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { SeededRandom } from '../../domain/backtest/seeded-random';
import { signalRulesVersion } from '../../domain/signals';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { launchChromium, SCREENSHOT_DIR } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

const unique = () => `E${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;

/** n weekdays from 2012-01-02, as epoch ms at 00:00 UTC. */
function weekdays(n: number): number[] {
  const out: number[] = [];
  for (let t = Date.UTC(2012, 0, 2); out.length < n; t += 86_400_000) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(t);
  }
  return out;
}

const QUERY = `query($input: EventStudyInput!) { eventStudy(input: $input) {
  tickers benchmark eventSource eventsIn eventsUsed mergedSameDay droppedOverlapping overlapNote
  skipped { noPrices outsidePrices shortEstimation }
  days { day events aar aarT aarLow aarHigh car carT carLow carHigh }
  studied { ticker day ids beta estimationDays } } }`;

interface Day {
  day: number;
  events: number;
  aar: number;
  aarT: number;
  aarLow: number;
  aarHigh: number;
  car: number;
  carLow: number;
  carHigh: number;
}
interface Study {
  eventSource: string;
  eventsIn: number;
  eventsUsed: number;
  mergedSameDay: number;
  droppedOverlapping: number;
  overlapNote: string;
  days: Day[];
  studied: Array<{ ticker: string; day: string; ids: string[]; beta: number; estimationDays: number }>;
}

jest.setTimeout(180_000);

describe('eventStudy over GraphQL and on the dashboard: stored bars and scored articles', () => {
  let stack: TestStack;
  let browser: Browser | undefined;
  let db: DataSource;
  let user: TestIdentity;
  const [A, B, C, MKT] = [unique(), unique(), unique(), unique()];
  const days = weekdays(900);
  const positive: number[] = [];
  const negative: number[] = [];

  async function bars(ticker: string, returns: number[]) {
    const closes: number[] = [];
    let c = 100;
    for (const r of returns) closes.push((c *= 1 + r));
    await db.query(
      `INSERT INTO price_bars (ticker, interval, time, open, high, low, close, volume)
       SELECT $1, '1d', t, c, c, c, c, 1000 FROM unnest($2::timestamptz[], $3::float8[]) AS x(t, c)`,
      [ticker, days.map((d) => new Date(d).toISOString()), closes],
    );
  }
  async function article(ticker: string, dayIndex: number, score: number, title: string) {
    const publishedAt = new Date(days[dayIndex] + 14 * 3_600_000); // 09:00 or 10:00 in New York: before the close
    const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`, [
      createHash('sha256').update(randomUUID()).digest('hex'),
      title,
      publishedAt.toISOString(),
    ]);
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 1, '{cashtag}', $3)`, [id, ticker, publishedAt.toISOString()]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'es-test', $2, $3)`, [id, score > 0 ? 'positive' : 'negative', score]);
    return id as string;
  }
  async function emotion(articleId: string, label: string, scoredAt: string) {
    await db.query(
      `INSERT INTO article_emotions (article_id, model_version, label, prob_neutral, prob_happy, prob_sad, prob_anger, prob_disgust, prob_surprise, prob_fear, scored_at)
       VALUES ($1, $2, $3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4, $4)`,
      [articleId, `es-emo-${scoredAt}`, label, scoredAt],
    );
  }

  beforeAll(async () => {
    stack = await startTestStack();
    db = stack.api.db;
    user = await createIdentity(db, Role.USER);
    const rng = new SeededRandom(2024);
    const m = days.map(() => 0.0003 + 0.01 * rng.gaussian());
    const ra = days.map((_, i) => 0.0001 + 1.2 * m[i] + 0.012 * rng.gaussian());
    const rb = days.map((_, i) => 0.8 * m[i] + 0.012 * rng.gaussian());
    // Positive news: +3% abnormal on the day. Negative news: nothing happens.
    for (let k = 0; k < 15; k++) {
      const t = 300 + k * 35;
      positive.push(t);
      negative.push(t + 17);
      ra[t] += 0.03;
      rb[t] += 0.03;
    }
    // C: replayed signals turn BUY at bar t (a run of two BUY bars, then HOLD); the effect comes the next day.
    const rc = days.map((_, i) => 0.9 * m[i] + 0.012 * rng.gaussian());
    const buyBars: number[] = [];
    for (let k = 0; k < 15; k++) {
      const t = 310 + k * 35;
      buyBars.push(t);
      rc[t + 1] += 0.03;
    }
    await bars(C, rc);
    const series: Array<[number, string]> = [[buyBars[0] - 5, 'SELL']];
    for (const t of buyBars) series.push([t, 'BUY'], [t + 1, 'BUY'], [t + 2, 'HOLD']);
    await db.query(
      `INSERT INTO signal_history (ticker, as_of, rules_version, model_version, type, confidence, risk_level, suggested_position_size, replay_id)
       SELECT $1, a, $2, 'es-test', ty, 0.5, 'MEDIUM', 0.1, 'es-test' FROM unnest($3::timestamptz[], $4::text[]) AS x(a, ty)`,
      [C, signalRulesVersion(), series.map(([i]) => new Date(days[i]).toISOString()), series.map(([, ty]) => ty)],
    );
    await bars(MKT, m);
    await bars(A, ra);
    await bars(B, rb);
    for (const t of positive) {
      await article(A, t, 0.8, `${A} beats estimates, raises guidance`);
      await article(B, t, 0.7, `${B} wins contract`);
    }
    for (const [k, t] of negative.entries()) {
      const lawsuit = await article(A, t, -0.6, `${A} faces lawsuit`);
      const recall = await article(B, t, -0.5, `${B} recalls product`);
      // Emotions: B's recalls are fear; A's lawsuits anger, except the first, re-scored later from fear to anger (the latest label counts).
      await emotion(recall, 'fear', '2026-01-01T00:00:00Z');
      if (k === 0) await emotion(lawsuit, 'fear', '2026-01-01T00:00:00Z');
      await emotion(lawsuit, 'anger', '2026-02-01T00:00:00Z');
    }
    // A second positive story on an event day of A (merged), and one two days after it (dropped: overlapping window).
    await article(A, positive[0], 0.5, `${A} analyst upgrade`);
    await article(A, positive[1] + 2, 0.4, `${A} follow-up coverage`);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const input = (extra: Record<string, unknown>) => ({
    tickers: [A, B.toLowerCase()],
    from: new Date(days[250]).toISOString(),
    to: new Date(days[880]).toISOString(),
    benchmark: MKT,
    seed: 7,
    bootstrapSamples: 1000,
    ...extra,
  });

  it('recovers the planted +3% on positive news, with n, t-statistic and an interval that excludes 0', async () => {
    const r = await stack.gql<{ eventStudy: Study }>(QUERY, { input: input({ eventFilter: { sentiment: 'POSITIVE' } }) }, user.headers);
    expect(r.errors).toBeUndefined();
    const s = r.data!.eventStudy;
    expect(s.eventSource).toBe('ARTICLES');
    expect(s.eventsIn).toBe(32);
    expect(s.mergedSameDay).toBe(1);
    expect(s.droppedOverlapping).toBe(1);
    expect(s.eventsUsed).toBe(30);
    expect(s.overlapNote).toMatch(/merged/);
    const day0 = s.days.find((d) => d.day === 0)!;
    expect(day0.events).toBe(30);
    expect(day0.aar).toBeGreaterThan(0.022);
    expect(day0.aar).toBeLessThan(0.038);
    expect(day0.aarLow).toBeGreaterThan(0.015);
    expect(day0.aarT).toBeGreaterThan(6);
    const last = s.days[s.days.length - 1];
    expect(last.day).toBe(10);
    expect(last.carLow).toBeGreaterThan(0);
    const betaA = s.studied.filter((e) => e.ticker === A).map((e) => e.beta);
    expect(betaA.reduce((a, b) => a + b, 0) / betaA.length).toBeCloseTo(1.2, 0);
    expect(s.studied.find((e) => e.day === new Date(days[positive[0]]).toISOString().slice(0, 10) && e.ticker === A)!.ids).toHaveLength(2);
  });

  it('finds nothing on negative news: the intervals cover 0', async () => {
    const r = await stack.gql<{ eventStudy: Study }>(QUERY, { input: input({ eventFilter: { sentiment: 'NEGATIVE' } }) }, user.headers);
    expect(r.errors).toBeUndefined();
    const s = r.data!.eventStudy;
    expect(s.eventsUsed).toBe(30);
    const day0 = s.days.find((d) => d.day === 0)!;
    expect(day0.aarLow).toBeLessThan(0);
    expect(day0.aarHigh).toBeGreaterThan(0);
    const last = s.days[s.days.length - 1];
    expect(last.carLow).toBeLessThan(0);
    expect(last.carHigh).toBeGreaterThan(0);
  });

  it('studies replayed signals turning BUY, from the day after their bar (a run of BUYs is one event)', async () => {
    const r = await stack.gql<{ eventStudy: Study & { eventSource: string } }>(QUERY, { input: input({ tickers: [C], eventFilter: { signalType: 'BUY' } }) }, user.headers);
    expect(r.errors).toBeUndefined();
    const s = r.data!.eventStudy;
    expect(s.eventSource).toBe('SIGNALS');
    expect(s.eventsIn).toBe(15);
    expect(s.eventsUsed).toBe(15);
    const day0 = s.days.find((d) => d.day === 0)!;
    expect(day0.aar).toBeGreaterThan(0.02);
    expect(day0.aarLow).toBeGreaterThan(0.01);
    // The signal's own bar is day -1: nothing was planted there.
    const before = s.days.find((d) => d.day === -1)!;
    expect(before.aarLow).toBeLessThan(0);
    expect(before.aarHigh).toBeGreaterThan(0);
  });

  it('filters by keyword', async () => {
    const r = await stack.gql<{ eventStudy: Study }>(QUERY, { input: input({ eventFilter: { keyword: 'LAWSUIT' } }) }, user.headers);
    expect(r.errors).toBeUndefined();
    expect(r.data!.eventStudy.eventsIn).toBe(15);
    expect(r.data!.eventStudy.studied.every((e) => e.ticker === A)).toBe(true);
  });

  it('filters by emotion: exactly the articles whose latest stored emotion label is that one', async () => {
    const r = await stack.gql<{ eventStudy: Study & { eventSource: string } }>(QUERY, { input: input({ eventFilter: { emotion: 'fear' } }) }, user.headers);
    expect(r.errors).toBeUndefined();
    const s = r.data!.eventStudy;
    expect(s.eventSource).toBe('ARTICLES');
    expect(s.eventsIn).toBe(15);
    expect(s.studied.every((e) => e.ticker === B)).toBe(true);
    const anger = await stack.gql<{ eventStudy: Study }>(QUERY, { input: input({ eventFilter: { emotion: 'anger', keyword: 'lawsuit' } }) }, user.headers);
    expect(anger.errors).toBeUndefined();
    expect(anger.data!.eventStudy.eventsIn).toBe(15);
    expect(anger.data!.eventStudy.studied.every((e) => e.ticker === A)).toBe(true);
    const happy = await stack.gql<{ eventStudy: Study }>(QUERY, { input: input({ eventFilter: { emotion: 'happy' } }) }, user.headers);
    expect(happy.errors).toBeUndefined();
    expect(happy.data!.eventStudy.eventsIn).toBe(0);
  });

  it('refuses bad input with a code and the field', async () => {
    const badEmotion = await stack.gql(QUERY, { input: input({ eventFilter: { emotion: 'joyful' } }) }, user.headers);
    expect(badEmotion.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventFilter.emotion' });
    const emotionAndSignal = await stack.gql(QUERY, { input: input({ eventFilter: { emotion: 'fear', signalType: 'BUY' } }) }, user.headers);
    expect(emotionAndSignal.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventFilter' });
    const noFilter = await stack.gql(QUERY, { input: input({ eventFilter: {} }) }, user.headers);
    expect(noFilter.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventFilter' });
    const both = await stack.gql(QUERY, { input: input({ eventFilter: { sentiment: 'POSITIVE', signalType: 'BUY' } }) }, user.headers);
    expect(both.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventFilter' });
    const window = await stack.gql(QUERY, { input: input({ eventFilter: { keyword: 'x' }, window: [3, 10] }) }, user.headers);
    expect(window.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'window' });
    const noBench = await stack.gql(QUERY, { input: input({ eventFilter: { keyword: 'x' }, benchmark: unique() }) }, user.headers);
    expect(noBench.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'benchmark' });
    const anonymous = await stack.gql(QUERY, { input: input({ eventFilter: { keyword: 'x' } }) });
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('the dashboard draws the CAR curve with its band and says n and the overlap handling', async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    const base = stack.graphqlUrl.replace(/\/graphql$/, '');
    await page.goto(`${base}/`);
    await page.fill('input[name=apiKey]', user.key);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    await page.click('a[href="/event-study"]');
    await page.fill('input[name=tickers]', `${A}, ${B}`);
    await page.fill('input[name=from]', new Date(days[250]).toISOString().slice(0, 10));
    await page.fill('input[name=to]', new Date(days[880]).toISOString().slice(0, 10));
    await page.selectOption('select[name=sentiment]', 'POSITIVE');
    await page.fill('input[name=benchmark]', MKT);
    await page.fill('input[name=seed]', '7');
    await page.click('form[aria-label="Event study"] button[type=submit]');
    const chart = await page.waitForSelector('[data-testid=car-chart]');
    expect(await chart.getAttribute('data-points')).toBe('16');
    const band = await page.getAttribute('[data-testid=car-band]', 'points');
    expect(band!.trim().split(/\s+/)).toHaveLength(32);
    expect(await page.textContent('[data-testid=event-study-summary]')).toContain('n = 30');
    expect(await page.textContent('[data-testid=overlap-note]')).toMatch(/1 event\(s\) whose \[-5, 10\] window overlapped/);
    expect(await page.locator('[data-testid=event-study-table] tbody tr').count()).toBe(16);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'event-study.png'), fullPage: true });
    await context.close();
  });
});
