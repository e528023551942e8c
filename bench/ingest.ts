/**
 * `npm run bench -- ingest [articles=10000] [feeds=20]`: synthetic feeds built from the real
 * headlines in the shared sentiment data, served on 127.0.0.1, ingested through the real
 * pollFeedWorkflow on a real Temporal dev server and PostgreSQL, end to end. Runs twice on
 * fresh items: with sentiment scoring (the poll's child workflow) and without. The scored run
 * is timed to the fast score of every article; the accurate tier's background re-scoring is
 * waited for after it and reported on its own line.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createDataSource } from '../db/data-source';
import { startWorkerProcess } from '../runtime/worker-process';
import { connectTemporalClient } from '../temporal/client';
import { buildWorkflowBundle } from '../temporal/worker';
import { pollFeedWorkflow } from '../workflows/poll-feed.workflow';
import { startBenchInfra } from './_infra';
import { loadHeadlines, syntheticRss } from './_synthetic-feeds';
import { workflowQueue } from '../domain/task-queues';

function rss(run: string, feed: number, headlines: string[], offset: number, count: number): string {
  return syntheticRss({ run, feed, headlines, offset, count, title: `bench ${feed}`, withDescription: true });
}

export default async function ingestBench(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 10_000);
  const feedCount = Number(args[1] ?? 20);
  const perFeed = Math.ceil(total / feedCount);
  const headlines = loadHeadlines();
  const infra = await startBenchInfra('ingest');
  const bundlePath = path.join(infra.workDir, 'bundle.js');
  await buildWorkflowBundle(bundlePath);
  const db = createDataSource(infra.databaseUrl);
  await db.initialize();

  const bodies = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The feeds are served on 127.0.0.1, which the SSRF guard refuses unless allow-listed; metrics on
  // free ports, since benchmarks may run beside a started stack.
  const config = {
    ...loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', TIDINGS_FETCH_ALLOW_HOSTS: '127.0.0.1' }),
    taskQueue: 'bench-ingest',
    metricsPort: 0,
    temporalSdkMetricsPort: 0,
  };
  const log = createLogger({ level: 'warn' });
  const worker = await startWorkerProcess(config, log, { databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, fromEnv: true, workflowBundlePath: bundlePath, migrate: false });
  const client = await connectTemporalClient(infra.temporalAddress, 'default');
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  const results: Record<string, number> = {};
  try {
    for (const [run, score] of [['scored', true], ['unscored', false]] as const) {
      const feedIds: string[] = [];
      for (let f = 0; f < feedCount; f++) {
        const url = `/${run}/${f}.rss`;
        bodies.set(url, rss(run, f, headlines, f * perFeed + (run === 'scored' ? 0 : 7), perFeed));
        const [{ id }] = await db.query(`INSERT INTO feeds (url, name, poll_interval_seconds) VALUES ($1, $2, 300) RETURNING id`, [base + url, `${run} ${f}`]);
        feedIds.push(id);
      }
      const started = performance.now();
      const outcomes = (await Promise.all(
        feedIds.map((feedId) => client.client.workflow.execute(pollFeedWorkflow, { taskQueue: workflowQueue(config.taskQueue, pollFeedWorkflow), workflowId: `bench-${run}-${feedId}`, args: [{ feedId, score }] })),
      )) as Array<{ newArticleIds: string[] }>;
      const seconds = (performance.now() - started) / 1000;
      const stored = outcomes.reduce((n, o) => n + o.newArticleIds.length, 0);
      const [{ scored }] = await db.query(`SELECT count(*)::int AS scored FROM sentiment_scores s JOIN articles a ON a.id = s.article_id JOIN feeds f ON f.id = a.feed_id WHERE f.name LIKE $1`, [`${run} %`]);
      results[run] = stored / seconds;
      console.log(`${run}: ${stored} articles in ${seconds.toFixed(2)} s = ${(stored / seconds).toFixed(0)} articles/s (sentiment rows: ${scored})`);
      if (score) {
        // The accurate tier re-scores in the background (an abandoned child workflow): wait for it,
        // so the unscored run does not share the CPU with it, and report its own catch-up rate.
        const accurateRows = async () =>
          (await db.query(`SELECT count(*)::int AS n FROM sentiment_scores s JOIN articles a ON a.id = s.article_id JOIN feeds f ON f.id = a.feed_id WHERE f.name LIKE $1 AND s.tier = 'accurate'`, [`${run} %`]))[0].n as number;
        let rescored = await accurateRows();
        const deadline = performance.now() + 15 * 60_000;
        let last = rescored;
        let lastMoved = performance.now();
        while (rescored < stored && performance.now() < deadline && performance.now() - lastMoved < 60_000) {
          await new Promise((r) => setTimeout(r, 500));
          rescored = await accurateRows();
          if (rescored !== last) [last, lastMoved] = [rescored, performance.now()];
        }
        const accurateSeconds = (performance.now() - started) / 1000;
        results.accurate = rescored / accurateSeconds;
        console.log(`${run}: accurate tier re-scored ${rescored} of ${stored} articles ${accurateSeconds.toFixed(1)} s after the run started = ${results.accurate.toFixed(0)} articles/s (0 when no accurate model is active)`);
      }
    }
  } finally {
    clearInterval(sampler);
    await client.close();
    await worker.stop();
    server.close();
    await db.destroy();
    await infra.stop();
  }
  console.log(`worker process peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MB (worker, feed server and bench driver share the process)`);
  console.log(`target: >= 500 articles/s on 2 cores`);
  console.log(`ingest_articles_per_s=${results.scored.toFixed(0)} ingest_unscored_articles_per_s=${results.unscored.toFixed(0)} accurate_rescored_articles_per_s=${(results.accurate ?? 0).toFixed(0)}`);
}
