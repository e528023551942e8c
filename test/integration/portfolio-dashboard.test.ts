/**
 * The portfolio pages and the single-ticker benchmark line in a real browser (Debian's Chromium
 * via playwright-core) against the real stack. Screenshots: test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sharedDataPath } from '../../config/paths';
import { Role } from '../../entities';
import { importPrices } from '../../services/price-import.service';
import { createIdentity, type TestIdentity } from '../support/access';
import { launchChromium, SCREENSHOT_DIR } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';

jest.setTimeout(180_000);

describe('portfolio dashboard in Chromium against the real stack', () => {
  let stack: TestStack;
  let browser: Browser;
  let user: TestIdentity;
  let base: string;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ worker: true }), launchChromium()]);
    base = stack.graphqlUrl.replace(/\/graphql$/, '');
    user = await createIdentity(stack.api.db, Role.USER);
    for (const [ticker, file] of [['AAPL', 'AAPL_daily.tsv'], ['MSFT', 'MSFT_daily.tsv'], ['SPY', 'SPY_daily.csv']]) {
      await importPrices(stack.api.db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', file), 'utf8') });
    }
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signedIn(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    await page.goto(`${base}/`);
    await page.fill('input[name=apiKey]', user.key);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

  it('runs a portfolio backtest from the form and shows equity against the benchmark, holdings over time and contributions', async () => {
    const page = await signedIn();
    await page.click('a[href="/portfolios"]');
    await page.fill('input[aria-label="Top N"]', '2');
    await page.fill('input[aria-label="Benchmark"]', 'SPY');
    await page.click('form[aria-label="New portfolio backtest"] button[type=submit]');
    await page.waitForURL(/\/portfolios\/[0-9a-f-]{36}$/);
    await page.waitForSelector('[data-testid=portfolio-status]:text("COMPLETED")', { timeout: 120_000 });
    await page.waitForSelector('[data-testid=portfolio-equity-chart] canvas');
    expect(Number(await page.getAttribute('[data-testid=portfolio-equity-chart]', 'data-points'))).toBeGreaterThan(10);
    expect(Number(await page.getAttribute('[data-testid=portfolio-holdings-chart]', 'data-points'))).toBeGreaterThan(10);
    expect(await page.locator('[data-testid=portfolio-contributions] tbody tr').count()).toBe(3);
    const metrics = (await page.textContent('[data-testid=portfolio-metrics]')) ?? '';
    expect(metrics).toContain('SPY');
    expect(metrics).toMatch(/p-value\s*0\.\d{4}/);
    await page.waitForTimeout(300);
    await shot(page, '20-portfolio');
    await page.click('a[href="/portfolios"]');
    await page.waitForSelector('[data-testid=portfolio-list] tbody tr');
  });

  it('a portfolio walk-forward shows its windows, choices and the stitched out-of-sample equity', async () => {
    const res = await stack.gql<{ runPortfolioBacktest: { id: string } }>(
      `mutation($input: RunPortfolioBacktestInput!) { runPortfolioBacktest(input: $input) { id } }`,
      {
        input: {
          tickers: ['AAPL', 'MSFT', 'SPY'], from: '2003-01-01T00:00:00Z', to: '2015-01-01T00:00:00Z', ranking: 'STRATEGY', strategy: { kind: 'smaCrossover', fastWindow: 20, slowWindow: 100 },
          benchmark: 'SPY', costBps: 5, permutations: 200, search: { top: [1, 2], rebalance: ['WEEKLY', 'MONTHLY'], walkForward: { inSampleBars: 500, outOfSampleBars: 250, purgeBars: 5, embargoBars: 5 } },
        },
      },
      user.headers,
    );
    expect(res.errors).toBeUndefined();
    const page = await signedIn();
    await page.goto(`${base}/portfolios/${res.data!.runPortfolioBacktest.id}`);
    await page.waitForSelector('[data-testid=portfolio-status]:text("COMPLETED")', { timeout: 120_000 });
    await page.waitForSelector('[data-testid=portfolio-equity-chart] canvas');
    expect(await page.locator('[data-testid=portfolio-search] tbody tr').count()).toBeGreaterThan(5);
    expect(await page.textContent('[data-testid=portfolio-search]')).toMatch(/Walk-forward over 4 configurations/);
    await page.waitForTimeout(300);
    await shot(page, '22-portfolio-walk-forward');
  });

  it('single-ticker backtests draw a buy-and-hold benchmark line on the equity axis', async () => {
    const res = await stack.gql<{ runBacktest: { id: string } }>(
      'mutation { runBacktest(input: { ticker: "SPY", from: "2005-01-01T00:00:00Z", to: "2012-01-01T00:00:00Z", strategy: SMA_CROSSOVER, fastWindow: 20, slowWindow: 100, permutations: 0 }) { id } }',
      undefined,
      user.headers,
    );
    expect(res.errors).toBeUndefined();
    const page = await signedIn();
    await page.goto(`${base}/backtests/${res.data!.runBacktest.id}`);
    await page.waitForSelector('[data-testid=backtest-status]:text("COMPLETED")', { timeout: 120_000 });
    await page.waitForSelector('[data-testid=equity-chart] canvas');
    const until = Date.now() + 10_000;
    while (Number(await page.getAttribute('[data-testid=equity-chart]', 'data-benchmark-points')) <= 100 && Date.now() < until) await page.waitForTimeout(50);
    expect(Number(await page.getAttribute('[data-testid=equity-chart]', 'data-benchmark-points'))).toBeGreaterThan(100);
    await page.waitForTimeout(300);
    await shot(page, '21-backtest-benchmark');
  });
});
