/**
 * `npm run bench -- latency [articlesPerSecond=20] [seconds=60] [endpoints=100] [sweepConfigs=500] [split]`:
 * alerts and scores in seconds while a sweep runs (issue 21). A steady stream of articles
 * (real headlines, one cashtag each, across 50 tickers) is imported through ArticleService (the
 * path of `importArticles`), so each batch is scored (fast, then accurate tier), turned into
 * signals and delivered to webhook endpoints, each a local receiver on its own port (one always answers
 * 500; each endpoint follows 5 of the 50 tickers, so every signal goes to 10 endpoints). The worker
 * is one process serving all four task queues, as `npm start` runs it (with `split`: two, the
 * batch queue in its own at nice 10, TIDINGS_WORKER_NICE, as docs/configuration.md advises on a
 * shared machine).
 *
 * Two phases on the same stack: the stream alone, then the stream while a 500-configuration
 * parameter sweep runs on the batch queue. Per phase:
 *   alert: a signal's commit (its created_at) to the receiver's first POST of that delivery;
 *   score: an article stored to its fast-tier score stored (both database times);
 *   sweep: configurations finished per second during the phase.
 * Last line (the phase with the sweep): alert_p99_s=… score_p99_s=… sweep_configs_per_s=…
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { tsToMs } from '@temporalio/common/lib/time';
import { loadConfig } from '../config/config';
import { sharedDataPath } from '../config/paths';
import { createDataSource } from '../db/data-source';
import { SeededRandom } from '../domain/backtest';
import { Role } from '../entities';
import { ArticleService } from '../services/article.service';
import { importPrices } from '../services/price-import.service';
import { SweepService } from '../services/sweep.service';
import { UserService } from '../services/user.service';
import { MAX_ENDPOINTS_PER_USER, WebhookService } from '../services/webhook.service';
import { connectTemporalClient } from '../temporal/client';
import { buildWorkflowBundle } from '../temporal/worker';
import { startBenchInfra, startBenchWorker } from './_infra';
import { loadHeadlines } from './_synthetic-feeds';

const TICKERS = (
  'AAPL MSFT AMZN NVDA GOOGL META TSLA JPM V UNH XOM JNJ WMT MA PG HD CVX MRK ABBV KO PEP COST AVGO ADBE CRM ' +
  'NFLX AMD INTC CSCO ORCL QCOM TXN IBM BA CAT GE HON UPS LMT GS MS BAC WFC C DIS NKE MCD SBUX PFE T'
).split(' ');
const TICKERS_PER_ENDPOINT = 5;

/**
 * Where the fast-score time goes, from a sample of the phase's scoring workflows' histories:
 * stored -> workflow started (the import's commit and start call), -> first workflow task started
 * (the scoring queue's workflow slots and Temporal), -> the fast scoreArticles activity scheduled,
 * its wait in the queue (scheduled -> started: activity slots), and its run (started -> completed).
 */
async function scoringBreakdown(client: Awaited<ReturnType<typeof connectTemporalClient>>['client'], db: { query: (sql: string, params: unknown[]) => Promise<unknown> }, firstIds: string[]): Promise<string> {
  const sample = firstIds.filter((_, i) => i % Math.max(1, Math.floor(firstIds.length / 120)) === 0).slice(0, 120);
  const parts: Record<string, number[]> = { stored_to_started: [], to_first_task: [], to_activity_scheduled: [], activity_queue_wait: [], activity_run: [] };
  const created = new Map(((await db.query(`SELECT id, extract(epoch FROM created_at) * 1000 AS ms FROM articles WHERE id = ANY($1::uuid[])`, [sample])) as Array<{ id: string; ms: string }>).map((r) => [r.id, Number(r.ms)]));
  let worst: { wait: number; events: string } | undefined;
  for (const id of sample) {
    const events = (await client.workflow.getHandle(`score-import-${id}`).fetchHistory()).events ?? [];
    const at = (pick: (e: (typeof events)[number]) => unknown) => {
      const e = events.find((x) => pick(x) != null);
      return e ? tsToMs(e.eventTime) : NaN;
    };
    const started = at((e) => e.workflowExecutionStartedEventAttributes);
    const firstTask = at((e) => e.workflowTaskStartedEventAttributes);
    const scheduled = at((e) => e.activityTaskScheduledEventAttributes);
    const activityStarted = at((e) => e.activityTaskStartedEventAttributes);
    const completed = at((e) => e.activityTaskCompletedEventAttributes);
    const values = [started - (created.get(id) ?? NaN), firstTask - started, scheduled - firstTask, activityStarted - scheduled, completed - activityStarted];
    Object.values(parts).forEach((list, k) => Number.isFinite(values[k]) && list.push(values[k] / 1000));
    if (firstTask - started > (worst?.wait ?? 1000)) worst = { wait: firstTask - started, events: events.slice(0, 8).map((e) => `${String(e.eventType)}@+${((tsToMs(e.eventTime) - started) / 1000).toFixed(2)}`).join(' ') };
  }
  if (worst) console.log(`  slowest first workflow task (${(worst.wait / 1000).toFixed(1)} s), its first events: ${worst.events}`);
  return Object.entries(parts)
    .map(([name, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return `${name} p50 ${percentile(sorted, 50).toFixed(3)} p99 ${percentile(sorted, 99).toFixed(3)}`;
    })
    .join('; ');
}

/**
 * Where the alert time goes, for a sample of the phase's received deliveries: signal commit ->
 * delivery row planned (the fan-out's first statement), -> first attempt started (claimed, signed,
 * POST begun), -> the receiver reading it (the POST itself).
 */
async function alertBreakdown(db: { query: (sql: string, params: unknown[]) => Promise<unknown> }, received: Array<[string, { at: number; createdAt: number }]>): Promise<string> {
  const sample = received.filter((_, i) => i % Math.max(1, Math.floor(received.length / 2000)) === 0);
  const rows = (await db.query(
    `SELECT d.id, extract(epoch FROM d.created_at) * 1000 AS planned, extract(epoch FROM a.started_at) * 1000 AS started
     FROM webhook_deliveries d JOIN webhook_delivery_attempts a ON a.delivery_id = d.id AND a.attempt = 1 WHERE d.id = ANY($1::uuid[])`,
    [sample.map(([id]) => id)],
  )) as Array<{ id: string; planned: string; started: string }>;
  const byId = new Map(sample);
  const parts: Record<string, number[]> = { commit_to_planned: [], planned_to_attempt: [], attempt_to_received: [] };
  for (const r of rows) {
    const got = byId.get(r.id)!;
    const values = [Number(r.planned) - got.createdAt, Number(r.started) - Number(r.planned), got.at - Number(r.started)];
    Object.values(parts).forEach((list, k) => list.push(values[k] / 1000));
  }
  return Object.entries(parts)
    .map(([name, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return `${name} p50 ${percentile(sorted, 50).toFixed(3)} p99 ${percentile(sorted, 99).toFixed(3)}`;
    })
    .join('; ');
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface PhaseResult {
  alerts: number[];
  scores: number[];
  sweepPerS: number | null;
  articles: number;
  signals: number;
  duplicates: number;
  load: string;
}

export default async function latencyBench(args: string[]): Promise<void> {
  const perSecond = Number(args[0] ?? 20);
  const seconds = Number(args[1] ?? 60);
  const endpoints = Number(args[2] ?? 100);
  const sweepConfigs = Number(args[3] ?? 500);
  // `split`: the batch queue in a worker process of its own at a lower CPU priority, the other
  // three in another; default one process for all four, as `npm start` runs it.
  const split = args[4] === 'split';
  const infra = await startBenchInfra('latency');
  const bundlePath = path.join(infra.workDir, 'workflow-bundle.js');
  await buildWorkflowBundle(bundlePath);

  // The receivers: one per endpoint, each on its own port (a receiver of its own, as 100
  // subscribers' endpoints are: the delivery client pools connections per origin), the last one
  // always fails.
  const firstReceipt = new Map<string, { at: number; createdAt: number }>();
  let duplicates = 0;
  const receive = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      if (req.url === `/e${endpoints - 1}`) {
        res.writeHead(500).end();
        return;
      }
      const id = String(req.headers['tidings-webhook-id']);
      if (firstReceipt.has(id)) duplicates++;
      else {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { createdAt: string } };
        firstReceipt.set(id, { at, createdAt: Date.parse(body.data.createdAt) });
      }
      res.writeHead(204).end();
    });
  };
  const servers = Array.from({ length: endpoints }, () => http.createServer(receive));
  const ports: number[] = [];
  for (const server of servers) {
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    ports.push((server.address() as AddressInfo).port);
  }

  const taskQueue = `bench-latency-${randomUUID().slice(0, 8)}`;
  const env = {
    ...process.env,
    DATABASE_URL: infra.databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TIDINGS_WORKFLOW_BUNDLE: bundlePath,
    TIDINGS_SKIP_MIGRATIONS: '1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    TIDINGS_FETCH_ALLOW_HOSTS: '127.0.0.1',
    TIDINGS_WEBHOOK_RETRY_INITIAL_MS: '1000',
    METRICS_PORT: '0',
    TEMPORAL_SDK_METRICS_PORT: '0',
  };
  const config = { ...loadConfig({ ...env, LOG_LEVEL: 'error' }), taskQueue };
  const db = createDataSource(infra.databaseUrl, { poolSize: 6 });
  await db.initialize();
  const temporal = await connectTemporalClient(infra.temporalAddress, 'default');
  const workers: ChildProcess[] = [];
  try {
    // Sweep data: 5 years of SPY bars and one synthetic story a day (as `npm run bench -- sweep`).
    await importPrices(db, { ticker: 'SPY', csv: fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8') });
    const bars: Array<{ time: Date }> = await db.query(`SELECT time FROM price_bars WHERE ticker = 'SPY' AND interval = '1d' AND time >= '2015-01-01' AND time < '2020-01-01' ORDER BY time`);
    const rng = new SeededRandom(16);
    const stories = bars.map((b) => ({ at: new Date(new Date(b.time).getTime() + 15 * 3_600_000).toISOString(), score: Math.tanh(rng.gaussian()) }));
    const storyIds: Array<{ id: string }> = await db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) SELECT 'import', h, 'SPY bench story', p FROM unnest($1::text[], $2::timestamptz[]) AS x(h, p) RETURNING id`,
      [stories.map(() => createHash('sha256').update(randomUUID()).digest('hex')), stories.map((s) => s.at)],
    );
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, published_at) SELECT a, 'SPY', 0.9, p FROM unnest($1::uuid[], $2::timestamptz[]) AS x(a, p)`, [storyIds.map((r) => r.id), stories.map((s) => s.at)]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) SELECT a, 'bench', 'x', s FROM unnest($1::uuid[], $2::real[]) AS x(a, s)`, [storyIds.map((r) => r.id), stories.map((s) => s.score)]);

    // Some scored news per ticker in the last hours, so every ticker has a basis for signals.
    const now = Date.now();
    for (const ticker of TICKERS) {
      for (let k = 0; k < 3; k++) {
        const publishedAt = new Date(now - (k + 1) * 3_600_000).toISOString();
        const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`, [
          createHash('sha256').update(randomUUID()).digest('hex'),
          `${ticker} earlier story ${k}`,
          publishedAt,
        ]);
        await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 1, '{cashtag}', $3)`, [id, ticker, publishedAt]);
        await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'bench', 'positive', 0.6)`, [id]);
      }
    }

    const webhooks = new WebhookService(db, temporal.client, taskQueue, config.fetchPolicy);
    let owner = '';
    for (let i = 0; i < endpoints; i++) {
      if (i % MAX_ENDPOINTS_PER_USER === 0) owner = (await new UserService(db).create(`latency-${i}-${Date.now()}@example.test`, 'bench-password-123', Role.USER)).id;
      const follows = Array.from({ length: TICKERS_PER_ENDPOINT }, (_, k) => TICKERS[(i + k * 10) % TICKERS.length]);
      await webhooks.create({ url: `http://127.0.0.1:${ports[i]}/e${i}`, tickers: follows }, { userId: owner, role: 'USER' });
    }

    if (split) {
      workers.push(await startBenchWorker({ ...env, TIDINGS_WORKER_QUEUES: 'ingest,scoring,alerts' }));
      workers.push(await startBenchWorker({ ...env, TIDINGS_WORKER_QUEUES: 'batch', TIDINGS_WORKER_NICE: '10', METRICS_PORT: '0' }));
    } else workers.push(await startBenchWorker(env));
    console.log(`worker processes: ${split ? 'two (ingest, scoring, alerts | batch at nice 10)' : 'one for all four queues'}`);
    const articles = new ArticleService(db, temporal.client, taskQueue);
    const sweeps = new SweepService(db, temporal.client, taskQueue);
    const headlines = loadHeadlines();
    let sent = 0;

    const phase = async (name: string, withSweep: boolean): Promise<PhaseResult> => {
      const sweep = withSweep
        ? await sweeps.startSweep({
            base: { ticker: 'SPY', from: '2015-01-01', to: '2020-01-01', strategy: { kind: 'sentimentThreshold', enter: 0.2, exit: 0, windowHours: 24 }, costBps: 2, slippageBps: 1 },
            ranges: { enter: Array.from({ length: 10 }, (_, i) => +(0.05 + i * 0.05).toFixed(2)), exit: [-0.2, -0.1, -0.05, 0, 0.025], windowHours: [24, 72], holdingBars: [null, 3, 5, 10, 20].slice(0, Math.max(1, Math.round(sweepConfigs / 100))) },
            permutations: 1000,
            seed: 7,
            concurrency: 4,
          })
        : undefined;
      const [{ t0 }] = await db.query(`SELECT now() AS t0`);
      const sweepStart = sweep ? await sweeps.configsDone(sweep.id) : 0;
      const started = Date.now();
      const ids: string[] = [];
      const firstIds: string[] = [];
      // Every 250 ms a quarter of a second's articles: a steady stream, one cashtag each.
      const tick = 250;
      const perTick = perSecond / (1000 / tick);
      let owed = 0;
      for (let next = started; next < started + seconds * 1000; next += tick) {
        await sleep(Math.max(0, next - Date.now()));
        owed += perTick;
        const n = Math.floor(owed);
        owed -= n;
        if (n === 0) continue;
        const items = Array.from({ length: n }, () => {
          const i = sent++;
          return { title: `$${TICKERS[i % TICKERS.length]} ${headlines[i % headlines.length]}`, url: `https://bench.example/latency/${name}/${i}-${randomUUID()}`, publishedAt: new Date().toISOString() };
        });
        // Not awaited in sequence with the clock: a slow import must not slow the stream down.
        void articles.import(items).then(
          (r) => {
            ids.push(...r.insertedIds);
            if (r.insertedIds.length > 0) firstIds.push(r.insertedIds[0]);
          },
          (err: Error) => console.error(`import failed: ${err.message}`),
        );
      }
      const ingestSeconds = (Date.now() - started) / 1000;
      const sweepDone = sweep ? await sweeps.configsDone(sweep.id) : 0;
      const sweepPerS = sweep ? (sweepDone - sweepStart) / ingestSeconds : null;
      const loadNow = load();
      if (sweep) await sweeps.cancel(sweep.id);

      // Let the phase's signals reach their receivers (the failing endpoint's retries aside).
      await sleep(2000);
      const expectedDeliveries = async () => {
        const [{ n }] = await db.query(
          `SELECT count(*)::int AS n FROM webhook_deliveries d JOIN signals s ON d.event_key = 'signal:' || s.id WHERE s.created_at >= $1 AND d.endpoint_id IN (SELECT id FROM webhook_endpoints WHERE url NOT LIKE $2)`,
          [t0, `%/e${endpoints - 1}`],
        );
        return n as number;
      };
      const deadline = Date.now() + 120_000;
      let expected: number;
      const phaseSignals = async () => (await db.query(`SELECT id FROM signals WHERE created_at >= $1`, [t0])) as Array<{ id: string }>;
      for (;;) {
        const signalIds = new Set((await phaseSignals()).map((s) => s.id));
        const [{ got }] = await db.query(
          `SELECT count(*)::int AS got FROM webhook_deliveries d WHERE d.event_key = ANY($1::text[]) AND d.status = 'SUCCEEDED'`,
          [[...signalIds].map((id) => `signal:${id}`)],
        );
        expected = await expectedDeliveries();
        if (got >= expected || Date.now() > deadline) break;
        await sleep(500);
      }
      // The next phase starts from an empty pipeline: wait (bounded) for this one's scoring to finish.
      while (Date.now() < deadline + 60_000) {
        const [{ unscored }] = await db.query(
          `SELECT count(*)::int AS unscored FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM sentiment_scores s WHERE s.article_id = a.id AND s.tier = 'fast')`,
          [ids],
        );
        if (unscored === 0) break;
        await sleep(500);
      }
      const signals = await phaseSignals();
      const phaseStart = new Date(t0).getTime();
      const received = [...firstReceipt.entries()].filter(([, r]) => r.createdAt >= phaseStart);
      const alerts = received.map(([, r]) => (r.at - r.createdAt) / 1000).sort((a, b) => a - b);
      const scoreRows: Array<{ s: number }> = await db.query(
        `SELECT extract(epoch FROM s.scored_at - a.created_at) AS s FROM sentiment_scores s JOIN articles a ON a.id = s.article_id
         WHERE a.id = ANY($1::uuid[]) AND s.tier = 'fast'`,
        [ids],
      );
      const scores = scoreRows.map((r) => Number(r.s)).sort((a, b) => a - b);
      const result = { alerts, scores, sweepPerS, articles: ids.length, signals: signals.length, duplicates, load: loadNow };
      console.log(
        `${name}: ${ids.length} articles in ${ingestSeconds.toFixed(0)} s, ${scores.length} fast scores, ${signals.length} signals, ${alerts.length}/${expected} deliveries received` +
          `${sweep ? `, sweep ${sweepDone - sweepStart} configurations (${sweepPerS!.toFixed(2)}/s)` : ''}; load average ${loadNow}`,
      );
      console.log(
        `  alert (signal commit -> POST) s: p50 ${percentile(alerts, 50).toFixed(3)} p99 ${percentile(alerts, 99).toFixed(3)} max ${(alerts.at(-1) ?? NaN).toFixed(3)}; ` +
          `score (stored -> fast score) s: p50 ${percentile(scores, 50).toFixed(3)} p99 ${percentile(scores, 99).toFixed(3)} max ${(scores.at(-1) ?? NaN).toFixed(3)}; duplicate POSTs ${duplicates}`,
      );
      console.log(`  score path, s (${Math.min(120, firstIds.length)} scoring workflows): ${await scoringBreakdown(temporal.client, db, firstIds)}`);
      console.log(`  alert path, s (up to 2,000 deliveries): ${await alertBreakdown(db, received)}`);
      return result;
    };

    // Warm-up, not measured: the worker loads both tiers (and the encoder) on its first articles,
    // which stalls it for seconds; the phases measure the steady state after that.
    const warmUp = await articles.import(
      TICKERS.slice(0, 10).map((t, i) => ({ title: `$${t} ${headlines[(i * 7) % headlines.length]}`, url: `https://bench.example/latency/warm-up/${i}-${randomUUID()}`, publishedAt: new Date().toISOString() })),
    );
    const warmStarted = Date.now();
    for (;;) {
      const [{ n }] = await db.query(`SELECT count(DISTINCT article_id)::int AS n FROM sentiment_scores WHERE article_id = ANY($1::uuid[]) AND tier = 'accurate'`, [warmUp.insertedIds]);
      if (n >= warmUp.insertedIds.length || Date.now() - warmStarted > 180_000) break;
      await sleep(500);
    }
    console.log(`warm-up: ${warmUp.insertedIds.length} articles scored by both tiers in ${((Date.now() - warmStarted) / 1000).toFixed(1)} s`);
    await sleep(5000);
    const calm = await phase('stream only', false);
    const busy = await phase('stream + sweep', true);
    console.log(`nosweep_alert_p99_s=${percentile(calm.alerts, 99).toFixed(3)} nosweep_score_p99_s=${percentile(calm.scores, 99).toFixed(3)} nosweep_load="${calm.load}" sweep_load="${busy.load}"`);
    console.log(`alert_p99_s=${percentile(busy.alerts, 99).toFixed(3)} score_p99_s=${percentile(busy.scores, 99).toFixed(3)} sweep_configs_per_s=${busy.sweepPerS!.toFixed(2)}`);
  } finally {
    for (const worker of workers) {
      if (worker.exitCode !== null) continue;
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await temporal.close();
    await db.destroy();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await infra.stop();
  }
}
