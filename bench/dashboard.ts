/**
 * `npm run bench -- dashboard [signals=500] [seconds=10] [loads=5]`: the dashboard in Debian's
 * Chromium (playwright-core) against one API process (a child) on a fresh PostgreSQL.
 *  1. first load: from navigation (key already in the tab's sessionStorage, empty cache) to the
 *     first signal row, median of `loads` runs; and the JavaScript the page loaded, gzip bytes.
 *  2. stream: `signals` signals published the way workers publish them (insert + NOTIFY in one
 *     transaction) evenly over `seconds` s; the page must show every one (its received counter),
 *     keep at most 200 rows, and keep its JS heap flat (CDP Performance.getMetrics after a GC,
 *     before and after).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { createDataSource } from '../db/data-source';
import { Role } from '../entities';
import { publishEvent } from '../events/publish';
import { Topic } from '../events/topics';
import { freePort, waitUntil } from '../runtime/managed-process';
import { ApiKeyService } from '../services/api-key.service';
import { UserService } from '../services/user.service';
import { startBenchInfra } from './_infra';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1024 / 1024;
}

export default async function dashboardBench(args: string[]): Promise<void> {
  const signals = Number(args[0] ?? 500);
  const seconds = Number(args[1] ?? 10);
  const loads = Number(args[2] ?? 5);
  const root = path.join(__dirname, '..', '..');
  // The app the API serves: build it when its inputs changed (as npm start does).
  // The web build script is plain CommonJS outside the TypeScript project, found by path at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(path.join(root, 'web', 'scripts', 'build.cjs')) as { build: (o: { ifChanged: boolean }) => boolean }).build({ ifChanged: true });

  const infra = await startBenchInfra('dashboard');
  const port = await freePort();
  const api = spawn(process.execPath, [path.join(__dirname, '..', 'runtime', 'api-main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: infra.databaseUrl,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      TIDINGS_SKIP_MIGRATIONS: '1',
      RATE_LIMIT_ADMIN_PER_MIN: '1000000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const db = createDataSource(infra.databaseUrl, { poolSize: 4 });
  let browser: Browser | undefined;
  const base = `http://127.0.0.1:${port}`;
  try {
    await db.initialize();
    await waitUntil(async () => (await fetch(`${base}/ready`).catch(() => null))?.ok === true, { timeoutMs: 60_000, describe: () => 'API not ready' });
    const user = await new UserService(db).create(`dash-${Date.now()}@example.test`, 'bench-password-123', Role.ADMIN);
    const { key } = await new ApiKeyService(db).create(user.id, 'bench', null);
    const publish = async (i: number) =>
      db.transaction(async (tx) => {
        const [row] = await tx.query(
          `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size, features, model_versions)
           VALUES ('AAPL', now(), $1, $2, 'MEDIUM', 0.1, '{"composite":0.4}', '{bench}') RETURNING id`,
          [['BUY', 'SELL', 'HOLD'][i % 3], 0.3 + (i % 7) / 10],
        );
        await publishEvent(tx, Topic.SIGNAL_CREATED, 'AAPL', { id: row.id, ticker: 'AAPL', type: 'BUY', confidence: 0.5 });
      });
    for (let i = 0; i < 20; i++) await publish(i); // the list the first load shows

    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });

    // 1. First load, cold cache each time (a new context is a new, empty profile).
    const firstRowMs: number[] = [];
    let jsGzip = 0;
    let jsFiles: string[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      await context.addInitScript(`sessionStorage.setItem('tidings.apiKey', ${JSON.stringify(key)})`);
      const page = await context.newPage();
      const scripts: Array<Promise<{ url: string; gzip: number }>> = [];
      page.on('response', (res) => {
        if (res.url().endsWith('.js')) scripts.push(res.body().then((b) => ({ url: res.url(), gzip: zlib.gzipSync(b, { level: 9 }).length })));
      });
      await page.goto(`${base}/`);
      await page.waitForSelector('.signal-row[data-signal-id]', { timeout: 30_000 });
      firstRowMs.push(await page.evaluate(() => performance.now()));
      const loaded = await Promise.all(scripts);
      jsGzip = loaded.reduce((s, x) => s + x.gzip, 0);
      jsFiles = loaded.map((x) => path.basename(x.url));
      await context.close();
    }
    const allJs = fs
      .readdirSync(path.join(root, 'dist', 'web', 'assets'))
      .filter((f) => f.endsWith('.js'))
      .reduce((s, f) => s + zlib.gzipSync(fs.readFileSync(path.join(root, 'dist', 'web', 'assets', f)), { level: 9 }).length, 0);
    console.log(`first load to first signal row: median ${median(firstRowMs).toFixed(0)} ms of ${loads} cold loads (${firstRowMs.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`JS on first load: ${(jsGzip / 1024).toFixed(1)} KiB gzip in ${jsFiles.length} file(s) (${jsFiles.join(', ')}); all pages: ${(allJs / 1024).toFixed(1)} KiB gzip`);

    // 2. The stream.
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.addInitScript(`sessionStorage.setItem('tidings.apiKey', ${JSON.stringify(key)})`);
    const page: Page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-testid=socket-status].connected');
    await page.waitForSelector('.signal-row[data-signal-id]');
    const received = async () => Number(((await page.textContent('[data-testid=received-count]')) ?? '0').split(' ')[0]);
    // Warm-up: 250 signals fill the list to its 200-row cap (and warm the JIT); then the baseline heap.
    for (let i = 0; i < 250; i++) await publish(i);
    await waitUntil(async () => (await received()) >= 250, { timeoutMs: 60_000, intervalMs: 50, describe: () => 'warm-up signals not shown' });
    const heapBefore = await heapMb(cdp);
    const start = await received();

    // Publish on a fixed schedule (commits overlap on a small pool), sampling the page's backlog.
    const interval = (seconds * 1000) / signals;
    const t0 = performance.now();
    let committed = 0;
    let maxLag = 0;
    const sampler = setInterval(() => {
      received().then((n) => (maxLag = Math.max(maxLag, committed - (n - start))), () => undefined);
    }, 100);
    const inFlight: Array<Promise<unknown>> = [];
    for (let i = 0; i < signals; i++) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(publish(i).then(() => committed++));
    }
    await Promise.all(inFlight);
    const publishedIn = (performance.now() - t0) / 1000;
    const tDone = performance.now();
    let shown = 0;
    await waitUntil(async () => (shown = (await received()) - start) >= signals, { timeoutMs: 30_000, intervalMs: 20, describe: () => `the page showed only ${shown}/${signals}` });
    const catchUpMs = performance.now() - tDone;
    clearInterval(sampler);
    const heapAfter = await heapMb(cdp);
    const rows = await page.$$eval('.signal-row[data-signal-id]', (r) => r.length);
    console.log(`${signals} signals published in ${publishedIn.toFixed(1)} s; the page showed all ${signals}, the last ${catchUpMs.toFixed(0)} ms after the last commit; max backlog (committed, not yet shown) ${maxLag} signal(s); rows kept ${rows} (cap 200)`);
    console.log(`JS heap after GC, list full (200 rows): ${heapBefore.toFixed(2)} MB before the stream, ${heapAfter.toFixed(2)} MB after (${(heapAfter - heapBefore >= 0 ? '+' : '')}${(heapAfter - heapBefore).toFixed(2)} MB)`);
    console.log(
      `dash_first_row_ms=${median(firstRowMs).toFixed(0)} dash_js_gzip_kib=${(jsGzip / 1024).toFixed(1)} dash_stream_catchup_ms=${catchUpMs.toFixed(0)} dash_heap_before_mb=${heapBefore.toFixed(2)} dash_heap_after_mb=${heapAfter.toFixed(2)}`,
    );
    await context.close();
  } finally {
    await browser?.close().catch(() => undefined);
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await db.destroy().catch(() => undefined);
    await infra.stop();
  }
}
