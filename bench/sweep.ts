/**
 * `npm run bench -- sweep [configs=500] [permutations=1000]`: a parameter sweep of the
 * sentiment-threshold strategy over 5 years of real SPY daily bars (2015-2019) with one seeded
 * synthetic story per trading day, through the real parameterSweepWorkflow (one child backtest
 * per configuration, concurrency 4, then the best-of-N permutation test) on a real Temporal
 * dev server and PostgreSQL, with the worker as a separate process. Runs twice: undisturbed,
 * and with the worker SIGKILLed once when half the configurations are done (a new worker is
 * started at once; the time includes Temporal noticing the lost tasks).
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import { createDataSource } from '../db/data-source';
import { SeededRandom } from '../domain/backtest';
import { importPrices } from '../services/price-import.service';
import { SweepService, type StartSweepInput } from '../services/sweep.service';
import { connectTemporalClient } from '../temporal/client';
import { buildWorkflowBundle } from '../temporal/worker';
import { startBenchInfra, startBenchWorker } from './_infra';

const killHard = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

export default async function sweepBench(args: string[]): Promise<void> {
  const configsWanted = Number(args[0] ?? 500);
  const permutations = Number(args[1] ?? 1000);
  const infra = await startBenchInfra('sweep');
  const workers: ChildProcess[] = [];
  const db = createDataSource(infra.databaseUrl, { poolSize: 4 });
  try {
    const bundlePath = path.join(infra.workDir, 'workflow-bundle.js');
    await buildWorkflowBundle(bundlePath);
    await db.initialize();
    await importPrices(db, { ticker: 'SPY', csv: fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8') });
    const bars: Array<{ time: Date }> = await db.query(`SELECT time FROM price_bars WHERE ticker = 'SPY' AND interval = '1d' AND time >= '2015-01-01' AND time < '2020-01-01' ORDER BY time`);
    const rng = new SeededRandom(16);
    const stories = bars.map((b) => ({ at: new Date(new Date(b.time).getTime() + 15 * 3_600_000).toISOString(), score: Math.tanh(rng.gaussian()) }));
    const ids: Array<{ id: string }> = await db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) SELECT 'import', h, 'SPY bench story', p FROM unnest($1::text[], $2::timestamptz[]) AS x(h, p) RETURNING id`,
      [stories.map(() => createHash('sha256').update(randomUUID()).digest('hex')), stories.map((s) => s.at)],
    );
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, published_at) SELECT a, 'SPY', 0.9, p FROM unnest($1::uuid[], $2::timestamptz[]) AS x(a, p)`, [ids.map((r) => r.id), stories.map((s) => s.at)]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) SELECT a, 'bench', 'x', s FROM unnest($1::uuid[], $2::real[]) AS x(a, s)`, [ids.map((r) => r.id), stories.map((s) => s.score)]);

    const taskQueue = `bench-sweep-${randomUUID()}`;
    const env = {
      ...process.env,
      DATABASE_URL: infra.databaseUrl,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TIDINGS_WORKFLOW_BUNDLE: bundlePath,
      TIDINGS_SKIP_MIGRATIONS: '1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      METRICS_PORT: '0', // any free port: a benchmark may run beside a started stack
      TEMPORAL_SDK_METRICS_PORT: '0',
    };
    workers.push(await startBenchWorker(env, 60_000));
    const temporal = await connectTemporalClient(infra.temporalAddress, 'default');
    const sweeps = new SweepService(db, temporal.client, taskQueue);
    // 10 x 5 x 2 x 5 = 500 configurations by default.
    const enter = Array.from({ length: 10 }, (_, i) => +(0.05 + i * 0.05).toFixed(2));
    const ranges: StartSweepInput['ranges'] = { enter, exit: [-0.2, -0.1, -0.05, 0, 0.025], windowHours: [24, 72], holdingBars: [null, 3, 5, 10, 20] };
    const grid = enter.length * 5 * 2 * 5;
    if (configsWanted < grid) ranges.holdingBars = ranges.holdingBars!.slice(0, Math.max(1, Math.floor(configsWanted / (enter.length * 10))));
    const input = (seed: number): StartSweepInput => ({
      base: { ticker: 'SPY', from: '2015-01-01', to: '2020-01-01', strategy: { kind: 'sentimentThreshold', enter: 0.2, exit: 0, windowHours: 24 }, costBps: 2, slippageBps: 1 },
      ranges,
      permutations,
      seed,
      concurrency: 4,
    });

    const t0 = Date.now();
    const clean = await sweeps.startSweep(input(1));
    const outcome = (await temporal.client.workflow.getHandle(clean.workflowId!).result()) as { status: string; bestIndex: number; pValue: number; pValueBestAlone: number };
    const cleanS = (Date.now() - t0) / 1000;
    const done = (await sweeps.get(clean.id))!;
    console.log(`sweep of ${done.configsTotal} configurations over ${bars.length} daily bars, ${permutations} best-of-N permutations: ${cleanS.toFixed(1)} s (${outcome.status})`);
    console.log(`  best #${outcome.bestIndex}: p(best of ${done.configsTotal}) = ${outcome.pValue.toFixed(4)}, p(best alone, naive) = ${outcome.pValueBestAlone.toFixed(4)}`);

    const t1 = Date.now();
    const killed = await sweeps.startSweep(input(2));
    let killedAt = 0;
    for (;;) {
      const n = await sweeps.configsDone(killed.id);
      if (n >= killed.configsTotal / 2) {
        killedAt = n;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await killHard(workers.shift()!);
    const killMs = Date.now() - t1;
    workers.push(await startBenchWorker(env, 60_000));
    const outcome2 = (await temporal.client.workflow.getHandle(killed.workflowId!).result()) as { status: string };
    const killedS = (Date.now() - t1) / 1000;
    const rows = await sweeps.configsDone(killed.id);
    console.log(`same sweep, worker SIGKILLed at ${killedAt}/${killed.configsTotal} configurations (${(killMs / 1000).toFixed(1)} s in), new worker started: ${killedS.toFixed(1)} s (${outcome2.status}, ${rows} result rows)`);
    await temporal.close();
    console.log(`sweep_configs=${done.configsTotal} bars=${bars.length} permutations=${permutations} sweep_wall_s=${cleanS.toFixed(1)} sweep_wall_killed_s=${killedS.toFixed(1)}`);
  } finally {
    await Promise.all(workers.map(killHard));
    if (db.isInitialized) await db.destroy();
    await infra.stop();
  }
}
