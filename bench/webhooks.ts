/**
 * `npm run bench -- webhooks [signals=20] [endpoints=100]`: webhook fan-out through the real
 * path. N endpoints (one of them always answering 500) on local receivers; signals are computed
 * by `computeSignalsWorkflow` on a real worker (scored news per ticker, as the pipeline leaves
 * it), which plans one delivery per (signal, endpoint) and starts one delivery workflow each.
 * Reports deliveries per second (successful deliveries over the time from the first signal's
 * commit to the last delivery received) and the delay from a signal's commit (its created_at,
 * taken inside the committing transaction, so the figure errs on the long side) to each POST.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createDataSource } from '../db/data-source';
import { Role } from '../entities';
import { startWorkerProcess } from '../runtime/worker-process';
import { MAX_ENDPOINTS_PER_USER, WebhookService } from '../services/webhook.service';
import { UserService } from '../services/user.service';
import { connectTemporalClient } from '../temporal/client';
import { buildWorkflowBundle } from '../temporal/worker';
import { computeSignalsWorkflow } from '../workflows/signals.workflow';
import { startBenchInfra } from './_infra';
import { workflowQueue } from '../domain/task-queues';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export default async function webhooksBench(args: string[]): Promise<void> {
  const signals = Number(args[0] ?? 20);
  const endpoints = Number(args[1] ?? 100);
  const infra = await startBenchInfra('webhooks');
  const bundlePath = path.join(infra.workDir, 'workflow-bundle.js');
  await buildWorkflowBundle(bundlePath);

  // Receivers: one local server, one path per endpoint; the last path always fails.
  const firstReceipt = new Map<string, number>(); // delivery id -> received at (ms since epoch)
  const latencies: number[] = [];
  let failingRequests = 0;
  let duplicates = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      if (req.url === `/e${endpoints - 1}`) {
        failingRequests++;
        res.writeHead(500).end();
        return;
      }
      const id = String(req.headers['tidings-webhook-id']);
      if (firstReceipt.has(id)) duplicates++;
      else {
        firstReceipt.set(id, at);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { createdAt: string } };
        latencies.push(at - Date.parse(body.data.createdAt));
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;

  const config = {
    ...loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'error', TIDINGS_FETCH_ALLOW_HOSTS: '127.0.0.1', TIDINGS_WEBHOOK_RETRY_INITIAL_MS: '1000', METRICS_PORT: '0', TEMPORAL_SDK_METRICS_PORT: '0' }),
    taskQueue: 'bench-webhooks',
  };
  const log = createLogger({ level: 'error' });
  const db = createDataSource(infra.databaseUrl, { poolSize: 4 });
  await db.initialize();
  const temporal = await connectTemporalClient(infra.temporalAddress, 'default');
  const worker = await startWorkerProcess(config, log, { databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, fromEnv: true, workflowBundlePath: bundlePath, migrate: false });
  try {
    // Users hold at most MAX_ENDPOINTS_PER_USER endpoints each: as many users as needed.
    const service = new WebhookService(db, temporal.client, config.taskQueue, config.fetchPolicy);
    let owner = '';
    for (let i = 0; i < endpoints; i++) {
      if (i % MAX_ENDPOINTS_PER_USER === 0) owner = (await new UserService(db).create(`webhooks-${i}-${Date.now()}@example.test`, 'bench-password-123', Role.USER)).id;
      await service.create({ url: `http://127.0.0.1:${port}/e${i}` }, { userId: owner, role: 'USER' });
    }

    // Scored news for each ticker, so each gets a signal (the state scoring leaves behind).
    const tickers = Array.from({ length: signals }, (_, i) => `WH${String(i).padStart(3, '0')}`);
    const now = Date.now();
    for (const ticker of tickers) {
      for (let k = 0; k < 3; k++) {
        const publishedAt = new Date(now - (k + 1) * 3_600_000).toISOString();
        const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`, [
          createHash('sha256').update(randomUUID()).digest('hex'),
          `${ticker} beats estimates ${k}`,
          publishedAt,
        ]);
        await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 1, '{cashtag}', $3)`, [id, ticker, publishedAt]);
        await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'bench', 'positive', 0.8)`, [id]);
      }
    }

    const expected = signals * (endpoints - 1);
    const started = performance.timeOrigin + performance.now();
    const result = await temporal.client.workflow.execute(computeSignalsWorkflow, { taskQueue: workflowQueue(config.taskQueue, computeSignalsWorkflow), workflowId: `bench-signals-${randomUUID()}`, args: [{ tickers }] });
    if (result.signals.length !== signals) throw new Error(`expected ${signals} signals, got ${result.signals.length}`);
    const computedIn = (performance.timeOrigin + performance.now() - started) / 1000;
    const receivedWhenComputed = firstReceipt.size;
    const [{ first }] = await db.query(`SELECT extract(epoch FROM min(created_at)) * 1000 AS first FROM signals WHERE ticker = ANY($1)`, [tickers]);
    const deadline = Date.now() + 10 * 60_000;
    while (firstReceipt.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (firstReceipt.size < expected) throw new Error(`only ${firstReceipt.size}/${expected} deliveries arrived`);
    const last = Math.max(...firstReceipt.values());
    const seconds = (last - Number(first)) / 1000;
    latencies.sort((a, b) => a - b);
    const rate = expected / seconds;
    const [{ pending }] = await db.query(`SELECT count(*)::int AS pending FROM webhook_deliveries WHERE status = 'PENDING'`);
    console.log(`${signals} signals x ${endpoints} endpoints (1 failing): ${expected} successful deliveries in ${seconds.toFixed(2)} s (workflow started ${((Number(first) - started) / 1000).toFixed(2)} s before the first commit)`);
    console.log(`computeSignalsWorkflow (signals stored, deliveries planned and started) took ${computedIn.toFixed(2)} s; ${receivedWhenComputed} deliveries had arrived by then`);
    console.log(`failing endpoint: ${failingRequests} attempts so far, ${pending} deliveries still retrying; duplicate POSTs received: ${duplicates}`);
    console.log(`commit -> POST received ms: p50 ${percentile(latencies, 50).toFixed(0)}  p99 ${percentile(latencies, 99).toFixed(0)}  max ${latencies[latencies.length - 1].toFixed(0)}`);
    console.log(`webhook_deliveries_per_s=${rate.toFixed(1)} webhook_p99_ms=${percentile(latencies, 99).toFixed(0)}`);
  } finally {
    await worker.stop().catch(() => undefined);
    await temporal.close();
    await db.destroy();
    server.closeAllConnections();
    server.close();
    await infra.stop();
    fs.rmSync(bundlePath, { force: true });
  }
}
