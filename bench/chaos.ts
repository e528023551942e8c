/**
 * `npm run bench -- chaos [articles=5000] [feeds=50]`: the pipeline under crashes (issue 11).
 * Real headlines (shared twitter sentiment set) in synthetic RSS feeds on 127.0.0.1 go through
 * pollFeedWorkflow (fetch, parse, store, score, signals) on a real Temporal dev server and an
 * embedded PostgreSQL, handled by a worker child process (dist/runtime/worker-main.js):
 *   1. calm: all articles with no kill (the baseline time);
 *   2. chaos: as many fresh articles while the worker is SIGKILLed three times (at 20, 45 and
 *      70 % of the work) and restarted at once, as the `npm start` supervisor does;
 *   3. PostgreSQL SIGKILLed and restarted (as the supervisor does) under a query load of 8
 *      concurrent readers.
 * Lost = an article the feed parser yields that is not stored, or stored without a score;
 * duplicated = the same link stored twice, or two scores of one article by one model version.
 * Recovery = from a worker kill until every activity the dead worker held runs again on the
 * new one (Temporal's pending activities), and from the PostgreSQL kill until readers succeed
 * again; the slowest of the four.
 * Last line: chaos_lost chaos_duplicated chaos_recovery_s chaos_slowdown (chaos / calm time).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { createDataSource } from '../db/data-source';
import { runMigrations } from '../db/migrate';
import { articlesFromFeedBody } from '../domain/feeds';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort, startManagedProcess, type ManagedProcess } from '../runtime/managed-process';
import { startTemporalDevServer } from '../runtime/temporal-dev-server';
import { connectTemporalClient } from '../temporal/client';
import { buildWorkflowBundle } from '../temporal/worker';
import { pollFeedWorkflow } from '../workflows/poll-feed.workflow';
import { loadHeadlines, syntheticRss } from './_synthetic-feeds';
import { workflowQueue } from '../domain/task-queues';

const TASK_QUEUE = 'bench-chaos';

function rss(run: string, feed: number, headlines: string[], offset: number, count: number): string {
  return syntheticRss({ run, feed, headlines, offset, count, title: `chaos ${feed}`, withDescription: false });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function chaosBench(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 5000);
  const feedCount = Number(args[1] ?? 50);
  const perFeed = Math.ceil(total / feedCount);
  const headlines = loadHeadlines();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-bench-chaos-'));
  fs.chmodSync(workDir, 0o755);
  const pgOptions = { dataDir: path.join(workDir, 'postgres'), port: await freePort() };
  const stops: Array<() => Promise<void>> = [];
  let pg: EmbeddedPostgres | undefined;
  let worker: ManagedProcess | undefined;
  const server = http.createServer();
  try {
    const [startedPg, temporal] = await Promise.all([
      startEmbeddedPostgres(pgOptions),
      startTemporalDevServer({ port: await freePort(), headless: true, cliPath: process.env.TEMPORAL_CLI_PATH }),
    ]);
    pg = startedPg;
    stops.unshift(() => temporal.stop());
    const databaseUrl = pg.url;
    const db = createDataSource(databaseUrl, { poolSize: 4 });
    await db.initialize();
    await runMigrations(db);
    stops.unshift(() => db.destroy());
    const bundlePath = path.join(workDir, 'bundle.js');
    await buildWorkflowBundle(bundlePath);

    const bodies = new Map<string, string>();
    server.on('request', (req, res) => {
      const body = bodies.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const startWorker = async (): Promise<ManagedProcess> => {
      let ready = false;
      const proc = startManagedProcess(process.execPath, [path.join(__dirname, '..', 'runtime', 'worker-main.js')], {
        ipc: true, // it stops when this benchmark goes away
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'info',
          DATABASE_URL: databaseUrl,
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_TASK_QUEUE: TASK_QUEUE,
          TIDINGS_WORKFLOW_BUNDLE: bundlePath,
          TIDINGS_SKIP_MIGRATIONS: '1',
          TIDINGS_MANAGED: '1',
          TIDINGS_FETCH_ALLOW_HOSTS: '127.0.0.1', // the benchmark's feeds are served on loopback
          METRICS_PORT: '0', // any free port: a benchmark may run beside a started stack
          TEMPORAL_SDK_METRICS_PORT: '0',
        },
        onLine: (line) => {
          if (line.includes('"worker running"')) ready = true;
          else if (line.includes('"level":50') || line.includes('"level":60')) console.error(`worker: ${line.slice(0, 300)}`);
        },
      });
      while (!ready) {
        if (proc.exited()) throw new Error(`worker exited during start-up:\n${proc.recentOutput()}`);
        await sleep(50);
      }
      return proc;
    };
    worker = await startWorker();
    stops.unshift(async () => worker?.stop('SIGTERM', 15_000));
    const client = await connectTemporalClient(temporal.address, 'default');
    stops.unshift(() => client.close());

    /** Articles stored plus sentiment rows written so far: what "progress" means here. */
    const progress = async (run: string): Promise<number> => {
      const [{ n }] = await db.query(
        `SELECT (SELECT count(*) FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.name LIKE $1)
              + (SELECT count(*) FROM sentiment_scores s JOIN articles a ON a.id = s.article_id JOIN feeds f ON f.id = a.feed_id WHERE f.name LIKE $1) AS n`,
        [`${run} %`],
      );
      return Number(n);
    };

    const expectedUrls = new Map<string, string[]>();
    const runIngest = async (run: string, onProgress?: (done: number, target: number) => Promise<void>): Promise<number> => {
      const feedIds: string[] = [];
      const urls: string[] = [];
      for (let f = 0; f < feedCount; f++) {
        const url = `/${run}/${f}.rss`;
        const body = rss(run, f, headlines, f * perFeed + (run === 'chaos' ? 17 : 0), perFeed);
        bodies.set(url, body);
        urls.push(...articlesFromFeedBody(Buffer.from(body), { fetchedAt: new Date() }).articles.map((a) => a.url!));
        const [{ id }] = await db.query(`INSERT INTO feeds (url, name, poll_interval_seconds) VALUES ($1, $2, 300) RETURNING id`, [base + url, `${run} ${f}`]);
        feedIds.push(id);
      }
      expectedUrls.set(run, urls);
      const target = urls.length * 2; // each article stored and scored
      const started = performance.now();
      const all = Promise.all(
        feedIds.map((feedId) => client.client.workflow.execute(pollFeedWorkflow, { taskQueue: workflowQueue(TASK_QUEUE, pollFeedWorkflow), workflowId: `chaos-${run}-${feedId}`, args: [{ feedId }] })),
      );
      if (onProgress) {
        let finished = false;
        void all.finally(() => (finished = true));
        while (!finished) {
          await onProgress(await progress(run), target);
          await sleep(50);
        }
      }
      await all;
      return (performance.now() - started) / 1000;
    };

    const calmSeconds = await runIngest('calm');
    console.log(`calm: ${expectedUrls.get('calm')!.length} articles stored and scored in ${calmSeconds.toFixed(2)} s, no kill`);

    /**
     * Seconds from a kill until no running workflow has an activity still held by the dead
     * worker (pending with it as last worker): everything it held was picked up again.
     */
    const heldWorkPickedUp = async (deadPid: number, killedAt: number): Promise<{ noticed: number; pickedUp: number }> => {
      let noticed: number | undefined;
      for (;;) {
        let held = 0;
        let stillStarted = 0;
        for await (const wf of client.client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
          if (!wf.workflowId.startsWith('chaos-chaos-')) continue;
          const d = await client.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
          for (const a of d.raw.pendingActivities ?? []) {
            if (!String(a.lastWorkerIdentity ?? '').startsWith(`${deadPid}@`)) continue;
            held++;
            if (a.state === 2 /* STARTED: Temporal still thinks the dead worker runs it */) stillStarted++;
          }
        }
        const now = (performance.now() - killedAt) / 1000;
        if (stillStarted === 0) noticed ??= now;
        if (held === 0) return { noticed: noticed ?? now, pickedUp: now };
        await sleep(250);
      }
    };

    // Kills at 20, 45 and 70 % of the work; after each, a fresh worker at once, and the time until progress resumes.
    const killAt = [0.2, 0.45, 0.7];
    const recoveries: number[] = [];
    const pickups: Array<Promise<{ noticed: number; pickedUp: number }>> = [];
    let pendingRecovery: { at: number; from: number } | undefined;
    const chaosSeconds = await runIngest('chaos', async (done, target) => {
      if (pendingRecovery && done > pendingRecovery.from) {
        recoveries.push((performance.now() - pendingRecovery.at) / 1000);
        console.log(`  kill ${recoveries.length}: progress resumed ${recoveries.at(-1)!.toFixed(1)} s after the kill`);
        pendingRecovery = undefined;
      }
      if (!pendingRecovery && killAt.length > 0 && done >= killAt[0] * target) {
        killAt.shift();
        const at = performance.now();
        const from = await progress('chaos');
        const deadPid = worker!.pid;
        worker!.kill(); // SIGKILL: in-flight activities are simply lost
        await worker!.waitForExit();
        pickups.push(heldWorkPickedUp(deadPid, at));
        pendingRecovery = { at, from };
        console.log(`  kill ${3 - killAt.length}: worker SIGKILLed at ${((100 * done) / target).toFixed(0)} % of the work`);
        worker = await startWorker();
      }
    });
    if (pendingRecovery) recoveries.push((performance.now() - pendingRecovery.at) / 1000);
    const held = await Promise.all(pickups);
    const pickedUp = held.map((h) => h.pickedUp);
    console.log(`chaos: ${expectedUrls.get('chaos')!.length} articles in ${chaosSeconds.toFixed(2)} s with ${pickups.length} worker kills`);
    console.log(`  dead worker noticed by Temporal (its activities no longer "started") after: ${held.map((h) => `${h.noticed.toFixed(1)} s`).join(', ')}`);
    console.log(`  all work it held running again on the new worker after: ${pickedUp.map((s) => `${s.toFixed(1)} s`).join(', ')} (includes retry backoff and queueing behind other work)`);

    // PostgreSQL SIGKILLed under 8 concurrent readers, restarted as the supervisor would.
    const readers = new Pool({ connectionString: databaseUrl, max: 8, connectionTimeoutMillis: 2000 });
    readers.on('error', () => undefined); // idle clients of the killed server
    let reading = true;
    let okQueries = 0;
    let failedQueries = 0;
    let lastOk = performance.now();
    const reader = async () => {
      while (reading) {
        try {
          await readers.query(
            `SELECT a.title, s.label FROM articles a JOIN sentiment_scores s ON s.article_id = a.id ORDER BY a.published_at DESC OFFSET floor(random() * 1000) LIMIT 20`,
          );
          okQueries++;
          lastOk = performance.now();
        } catch {
          failedQueries++;
          await sleep(100);
        }
      }
    };
    const readerLoops = Array.from({ length: 8 }, reader);
    await sleep(2000);
    const before = okQueries;
    const pidFile = path.join(pg.pgData, 'postmaster.pid');
    const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    const killedAt = performance.now();
    process.kill(postmaster, 'SIGKILL');
    await pg.process.waitForExit();
    pg = await startEmbeddedPostgres(pgOptions);
    await (async () => {
      while (lastOk <= killedAt) await sleep(20);
    })();
    const pgRecovery = (lastOk - killedAt) / 1000;
    await sleep(2000);
    reading = false;
    await Promise.all(readerLoops);
    await readers.end();
    console.log(`PostgreSQL SIGKILLed under 8 readers (${before} queries in the 2 s before): queries again ${pgRecovery.toFixed(1)} s later; ${failedQueries} queries failed meanwhile, ${okQueries} succeeded in all`);

    // The verdict, read after the restart: nothing lost, nothing twice.
    await db.destroy().catch(() => undefined);
    const check = createDataSource(pg.url, { poolSize: 2 });
    await check.initialize();
    stops.unshift(() => check.destroy());
    const urls = [...expectedUrls.get('calm')!, ...expectedUrls.get('chaos')!];
    const [{ missing }] = await check.query(`SELECT count(*)::int AS missing FROM unnest($1::text[]) AS u(url) WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = u.url)`, [urls]);
    const [{ unscored }] = await check.query(
      `SELECT count(*)::int AS unscored FROM articles a WHERE a.url = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM sentiment_scores s WHERE s.article_id = a.id)`,
      [urls],
    );
    const [{ dupArticles }] = await check.query(`SELECT coalesce(sum(n - 1), 0)::int AS "dupArticles" FROM (SELECT count(*) AS n FROM articles WHERE url = ANY($1::text[]) GROUP BY url HAVING count(*) > 1) d`, [urls]);
    const [{ dupScores }] = await check.query(
      `SELECT coalesce(sum(n - 1), 0)::int AS "dupScores" FROM (SELECT count(*) AS n FROM sentiment_scores s JOIN articles a ON a.id = s.article_id WHERE a.url = ANY($1::text[]) GROUP BY s.article_id, s.model_version HAVING count(*) > 1) d`,
      [urls],
    );
    const lost = missing + unscored;
    const duplicated = dupArticles + dupScores;
    console.log(`verdict over ${urls.length} articles: ${missing} not stored, ${unscored} stored without a score, ${dupArticles} stored twice, ${dupScores} scored twice`);
    const slowest = Math.max(...pickedUp, pgRecovery);
    console.log(`recovery (s): worker kills ${pickedUp.map((r) => r.toFixed(1)).join(', ')} (held work picked up again; first progress after ${recoveries.map((r) => r.toFixed(1)).join(', ')}), PostgreSQL ${pgRecovery.toFixed(1)}`);
    console.log(`chaos_lost=${lost} chaos_duplicated=${duplicated} chaos_recovery_s=${slowest.toFixed(1)} chaos_slowdown=${(chaosSeconds / calmSeconds).toFixed(2)}`);
  } finally {
    server.close();
    for (const stop of stops) await stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
