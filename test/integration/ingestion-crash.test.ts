import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { Feed } from '../../entities';
import type { PollOutcome } from '../../contracts';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { kill, startWorkerChild } from '../support/worker-child-process';
import { LOCAL_FEEDS_ENV, uniqueSecFeed } from '../support/feed-fixtures';
import { workflowQueue } from '../../domain/task-queues';

describe('a worker killed mid-poll', () => {
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  const workers: ChildProcess[] = [];
  const body = uniqueSecFeed('sec_testimony.rss');
  let stall = true;
  let requests = 0;
  let firstRequest!: () => void;
  const firstRequestSeen = new Promise<void>((r) => (firstRequest = r));
  // While `stall` is set the server sends half the feed and then nothing: the poll is mid-fetch.
  const server = http.createServer((req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    if (stall) {
      res.write(body.subarray(0, body.length / 2));
      firstRequest();
      return;
    }
    res.end(body);
  });

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    stack = await startTestStack({ env: LOCAL_FEEDS_ENV }); // API and database only: the workers are child processes
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await Promise.all(workers.map(kill));
    await temporal.close();
    await stack.stop();
    server.closeAllConnections();
    server.close();
  });

  it('is replaced by a new worker that finishes the poll with no loss and no duplicate', async () => {
    const taskQueue = stack.config.taskQueue;
    const repo = stack.api.db.getRepository(Feed);
    const feed = await repo.save(
      repo.create({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/testimony.rss`, name: 'crash test', pollIntervalSeconds: 300 }),
    );
    workers.push(await startWorkerChild(taskQueue, LOCAL_FEEDS_ENV));
    const handle = await temporal.client.workflow.start('pollFeedWorkflow', { taskQueue: workflowQueue(taskQueue, 'pollFeedWorkflow'), workflowId: `poll-crash-${randomUUID()}`, args: [{ feedId: feed.id }] });
    await firstRequestSeen;
    await kill(workers[0]); // SIGKILL: no graceful shutdown, the activity attempt is simply lost

    stall = false;
    workers.push(await startWorkerChild(taskQueue, LOCAL_FEEDS_ENV));
    const outcome = (await handle.result()) as PollOutcome;
    expect(outcome.status).toBe('ok');
    expect(outcome.parsed).toBeGreaterThan(0);
    expect(requests).toBeGreaterThanOrEqual(2); // the lost attempt and the retry
    const [{ n, distinct }] = await stack.api.db.query(
      'SELECT count(*)::int AS n, count(DISTINCT url_hash)::int AS distinct FROM articles WHERE feed_id = $1',
      [feed.id],
    );
    expect(n).toBe(outcome.parsed);
    expect(distinct).toBe(n);
    const [{ scored }] = await stack.api.db.query(
      'SELECT count(*)::int AS scored FROM sentiment_scores s JOIN articles a ON a.id = s.article_id WHERE a.feed_id = $1',
      [feed.id],
    );
    expect(scored).toBe(n);
  }, 120_000);
});
