/**
 * Work split by task queue: a worker that serves only some queues runs their work, and the work
 * of the other queues waits on its own queue until a worker for it comes up (issue 21).
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { encoderLaneQueue, taskQueueName, workflowQueue } from '../../domain/task-queues';
import { EventHub } from '../../events/event-hub';
import { startWorkerProcess, type RunningWorker } from '../../runtime/worker-process';
import { moveSchedulesToKindQueues } from '../../services/schedule-queues';
import { testEnv } from '../support/stack';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness';

describe('task queues per kind of work', () => {
  const base = `test-${randomUUID()}`;
  const log = createLogger({ level: 'warn' });
  let scoringOnly: WorkerHarness;
  let alertsWorker: RunningWorker | undefined;

  beforeAll(async () => {
    scoringOnly = await startWorkerHarness({ ...loadConfig({ NODE_ENV: 'test' }), taskQueue: base, workerQueues: ['scoring'] }, log, new EventHub());
  });
  afterAll(async () => {
    await alertsWorker?.stop();
    await scoringOnly.stop();
  });

  it('a scoring-only worker scores, while the signals its workflow asks for wait on the alerts queue for an alerts worker', async () => {
    const { db, temporal } = scoringOnly;
    // The scoring queue, and its encoder lane (the accurate tier's activities, slots of their own).
    expect(scoringOnly.worker.workers.map((w) => w.taskQueue)).toEqual([taskQueueName(base, 'scoring'), encoderLaneQueue(taskQueueName(base, 'scoring'))]);
    const ticker = `TQ${randomUUID().slice(0, 6).toUpperCase()}`;
    const publishedAt = new Date().toISOString();
    const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', md5(random()::text), $1, $2) RETURNING id`, [
      `$${ticker} shares soar after record quarterly profit`,
      publishedAt,
    ]);
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 1, '{cashtag}', $3)`, [id, ticker, publishedAt]);

    const workflowId = `score-${randomUUID()}`;
    const handle = await temporal.client.workflow.start('scoreArticlesWorkflow', { taskQueue: workflowQueue(base, 'scoreArticlesWorkflow'), workflowId, args: [{ articleIds: [id] }] });

    // The scoring queue's work is done by the scoring worker...
    const deadline = Date.now() + 30_000;
    let scored = 0;
    while (scored === 0 && Date.now() < deadline) {
      [{ scored }] = await db.query(`SELECT count(*)::int AS scored FROM sentiment_scores WHERE article_id = $1`, [id]);
      if (scored === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(scored).toBe(1);

    // ...and its child on the alerts queue waits: started there, never picked up, no signal stored.
    const child = temporal.client.workflow.getHandle(`${workflowId}-signals`);
    let described = await child.describe().catch(() => undefined);
    while (!described && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      described = await child.describe().catch(() => undefined);
    }
    expect(described?.taskQueue).toBe(taskQueueName(base, 'alerts'));
    await new Promise((r) => setTimeout(r, 3000));
    const waiting = await child.describe();
    expect(waiting.status.name).toBe('RUNNING');
    const events = (await child.fetchHistory()).events ?? [];
    expect(events.some((e) => e.workflowTaskStartedEventAttributes)).toBe(false);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const [{ signals }] = await db.query(`SELECT count(*)::int AS signals FROM signals WHERE ticker = $1`, [ticker]);
    expect(signals).toBe(0);
    const alertsQueue = await temporal.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueueName(base, 'alerts') }, taskQueueType: 1 });
    expect(alertsQueue.pollers ?? []).toHaveLength(0);

    // An alerts worker comes up (another process in production): the waiting work runs.
    const env = testEnv();
    alertsWorker = await startWorkerProcess({ ...loadConfig({ NODE_ENV: 'test' }), taskQueue: base, workerQueues: ['alerts'] }, log, {
      databaseUrl: env.databaseUrl,
      temporalAddress: env.temporalAddress,
      fromEnv: true,
      migrate: false,
      workflowBundlePath: env.workflowBundlePath,
    });
    const result = (await handle.result()) as { scored: number };
    expect(result.scored).toBe(1);
    expect((await child.describe()).status.name).toBe('COMPLETED');
  });

  it('a schedule made before the split (on the base queue) is moved to its workflow\'s queue, once', async () => {
    const { temporal } = scoringOnly;
    const scheduleId = `feed-legacy-${randomUUID()}`;
    await temporal.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'pollFeedWorkflow', args: [{ feedId: randomUUID() }], taskQueue: base },
      state: { paused: true },
    });
    try {
      expect(await moveSchedulesToKindQueues(temporal.client, base)).toEqual([scheduleId]);
      const described = await temporal.client.schedule.getHandle(scheduleId).describe();
      expect(described.action).toMatchObject({ workflowType: 'pollFeedWorkflow', taskQueue: taskQueueName(base, 'ingest') });
      expect(described.state.paused).toBe(true);
      expect(await moveSchedulesToKindQueues(temporal.client, base)).toEqual([]);
    } finally {
      await temporal.client.schedule.getHandle(scheduleId).delete();
    }
  });
});
