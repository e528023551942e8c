/**
 * The ticker page's emotion band in a real browser (Debian's Chromium via playwright-core)
 * against the real API on PostgreSQL: daily bars, sentiment and stored article emotions for one
 * ticker; the band must be drawn in its own pane on the chart's shared time axis. Screenshot:
 * test-artifacts/screenshots/06c-ticker-emotions.png (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { Role } from '../../entities';
import { EMOTION_LABELS } from '../../domain/emotions/labels';
import { createIdentity, type TestIdentity } from '../support/access';
import { launchChromium, SCREENSHOT_DIR } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

jest.setTimeout(180_000);

/** Runs in the page (a string: the test's TypeScript has no DOM types): where the band's colours are on the chart's canvases. */
const PIXEL_SCAN = `(() => {
  const targets = { fear: [0xdb, 0x6d, 0x28], sad: [0x58, 0xa6, 0xff] };
  const chart = document.querySelector('[data-testid=ticker-chart]');
  const top = chart.getBoundingClientRect().top;
  const out = { fear: { pixels: 0, minY: Infinity }, sad: { pixels: 0, minY: Infinity } };
  for (const canvas of Array.from(chart.querySelectorAll('canvas'))) {
    const ctx = canvas.getContext('2d');
    if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const scale = canvas.height / canvas.getBoundingClientRect().height;
    const offset = canvas.getBoundingClientRect().top - top;
    for (let i = 0; i < data.length; i += 4) {
      for (const [name, [r, g, b]] of Object.entries(targets)) {
        if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8 && data[i + 3] > 200) {
          out[name].pixels++;
          out[name].minY = Math.min(out[name].minY, offset + Math.floor(i / 4 / canvas.width) / scale);
        }
      }
    }
  }
  return { ...out, chartHeight: chart.getBoundingClientRect().height };
})()`;

describe('ticker page emotion band in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let user: TestIdentity;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(), launchChromium()]);
    user = await createIdentity(stack.api.db, Role.USER);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('draws the emotion shares per day below the candles and sentiment, with a legend', async () => {
    const db = stack.api.db;
    const ticker = 'EMODASH';
    const dayMs = 86_400_000;
    const today = Math.floor(Date.now() / dayMs) * dayMs;
    // 40 daily bars, and per day three articles: fear grows towards the end, happiness fades
    for (let d = 40; d >= 1; d--) {
      const t = new Date(today - d * dayMs);
      const close = 100 + Math.sin(d / 5) * 5;
      await db.query(`INSERT INTO price_bars (ticker, interval, time, open, high, low, close, volume) VALUES ($1, '1d', $2, $3, $4, $5, $6, 1000)`, [
        ticker,
        t,
        close - 1,
        close + 2,
        close - 2,
        close,
      ]);
      for (let k = 0; k < 3; k++) {
        const at = new Date(t.getTime() + (k + 10) * 3_600_000);
        const label = k === 0 ? 'neutral' : d < 15 ? 'fear' : d < 25 ? 'sad' : 'happy';
        const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', md5(random()::text), $1, $2) RETURNING id`, [
          `${ticker} day ${d} story ${k}`,
          at,
        ]);
        await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 0.9, '{cashtag}', $3)`, [id, ticker, at]);
        await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score, tier) VALUES ($1, 'test-fast', $2, $3, 'fast')`, [
          id,
          label === 'happy' ? 'positive' : 'negative',
          label === 'happy' ? 0.6 : -0.4,
        ]);
        const probs = EMOTION_LABELS.map((l) => (l === label ? 0.76 : 0.04));
        await db.query(
          `INSERT INTO article_emotions (article_id, model_version, label, prob_neutral, prob_happy, prob_sad, prob_anger, prob_disgust, prob_surprise, prob_fear) VALUES ($1, 'emo-test', $2, $3, $4, $5, $6, $7, $8, $9)`,
          [id, label, ...probs],
        );
      }
    }

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    const base = stack.graphqlUrl.replace(/\/graphql$/, '');
    await page.goto(`${base}/`);
    await page.fill('input[name=apiKey]', user.key);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[aria-label="Go to ticker"]', { timeout: 20_000 });
    await page.fill('input[aria-label="Go to ticker"]', ticker.toLowerCase());
    await page.press('input[aria-label="Go to ticker"]', 'Enter');
    await page.waitForSelector('[data-testid=emotion-legend]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=ticker-chart] canvas');
    await page.waitForTimeout(500);

    const caption = (await page.textContent('.chart-caption')) ?? '';
    expect(caption).toMatch(/40 daily bars/);
    expect(caption).toMatch(/emotions in 40 buckets/);
    const legend = (await page.textContent('[data-testid=emotion-legend]')) ?? '';
    for (const l of EMOTION_LABELS) expect(legend).toContain(l);

    // The band is drawn: its colours (fear #db6d28, sad #58a6ff: used nowhere else on the chart)
    // are on the canvases, in the lowest pane (below the candles' and the sentiment pane).
    const found = (await page.evaluate(PIXEL_SCAN)) as { fear: { pixels: number; minY: number }; sad: { pixels: number; minY: number }; chartHeight: number };
    expect(found.fear.pixels).toBeGreaterThan(100);
    expect(found.sad.pixels).toBeGreaterThan(100);
    // the lowest pane: the band starts below the upper half of the chart (candles, then sentiment)
    expect(found.fear.minY).toBeGreaterThan(found.chartHeight / 2);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, '06c-ticker-emotions.png'), fullPage: true });
    await context.close();
  });
});
