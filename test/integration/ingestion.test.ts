import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Feed } from '../../entities';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import type { PollOutcome } from '../../contracts';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ingestionActivities } from '../../activities/ingestion.activities';
import { LOCAL_FEEDS_ENV, uniqueSecFeed } from '../support/feed-fixtures';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { workflowQueue } from '../../domain/task-queues';

/** Serves the real SEC feeds with ETag support, plus hostile bodies written here. */
function feedServer() {
  const routes: Record<string, { body: Buffer; type: string }> = {
    '/press.rss': { body: uniqueSecFeed('sec_pressreleases.rss'), type: 'application/rss+xml' },
    '/press-again.rss': { body: uniqueSecFeed('sec_pressreleases.rss'), type: 'application/rss+xml' },
    '/filings.atom': { body: uniqueSecFeed('sec_company_filings_atom1.xml'), type: 'application/atom+xml' },
    '/bomb.xml': {
      body: Buffer.from('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><title>&c;</title></channel></rss>'),
      type: 'application/xml',
    },
    '/not-xml': { body: Buffer.from('{"hello": "json"}'), type: 'text/plain' },
    '/xxe.xml': {
      body: Buffer.from('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title></item></channel></rss>'),
      type: 'application/xml',
    },
    '/bad-utf8.xml': {
      body: Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title><item><title>broken '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</title><link>https://x.example/1</link></item></channel></rss>')]),
      type: 'application/rss+xml',
    },
    '/sparse.rss': {
      body: Buffer.from(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>sparse</title><link>https://sparse.example/</link>' +
          '<item><description>only a description, no link, date or title</description></item>' +
          '<item><title>  Relative link, no date  </title><link>/news/1</link></item>' +
          '<item></item></channel></rss>',
      ),
      type: 'application/rss+xml',
    },
  };
  // 50 MB of XML, streamed: the fetch must stop at its 5 MB cap instead of buffering it all.
  const hugeChunk = Buffer.alloc(1024 * 1024, 'a');
  // Answers 503 + Retry-After twice, then the feed: a transient failure Temporal retries.
  let flakyCalls = 0;
  let requests = 0;
  let honourEtag = true;
  const server = http.createServer((req, res) => {
    requests++;
    const pathname = new URL(req.url ?? '/', 'http://feeds.test').pathname;
    if (pathname === '/huge.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>');
      let sent = 0;
      const pump = () => {
        while (sent < 50 && res.write(hugeChunk)) sent++;
        if (sent < 50) res.once('drain', pump);
        else res.end('</title></channel></rss>');
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    if (pathname === '/flaky.rss') {
      flakyCalls++;
      if (flakyCalls <= 2) {
        res.writeHead(503, { 'retry-after': '1' }).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(routes['/press.rss'].body);
      return;
    }
    const route = routes[new URL(req.url ?? '/', 'http://feeds.test').pathname];
    if (!route) {
      res.writeHead(404).end('gone');
      return;
    }
    const etag = `"${route.body.length}"`;
    if (honourEtag && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': route.type, etag }).end(route.body);
  });
  return {
    server,
    requests: () => requests,
    flakyCalls: () => flakyCalls,
    setHonourEtag: (v: boolean) => (honourEtag = v),
    url: (p: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`,
  };
}

describe('ingestion: one workflow per poll, activities doing the I/O', () => {
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  const feeds = feedServer();

  beforeAll(async () => {
    await new Promise<void>((r) => feeds.server.listen(0, '127.0.0.1', () => r()));
    stack = await startTestStack({ worker: true, env: LOCAL_FEEDS_ENV });
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await temporal.close();
    await stack.stop();
    feeds.server.close();
  });

  async function addFeed(path: string): Promise<Feed> {
    const repo = stack.api.db.getRepository(Feed);
    return repo.save(repo.create({ url: feeds.url(path) + `?t=${Math.random()}`, name: path, pollIntervalSeconds: 300 }));
  }

  function poll(feedId: string): Promise<PollOutcome> {
    return temporal.client.workflow.execute('pollFeedWorkflow', {
      taskQueue: workflowQueue(stack.config.taskQueue, 'pollFeedWorkflow'),
      workflowId: `poll-${feedId}-${randomUUID()}`,
      args: [{ feedId }],
    });
  }

  it('stores every item of a real SEC feed once, with trimmed titles and feed health updated', async () => {
    const feed = await addFeed('/press.rss');
    const first = await poll(feed.id);
    expect(first.status).toBe('ok');
    expect(first.parsed).toBeGreaterThan(5);
    expect(first.newArticleIds).toHaveLength(first.parsed);
    const rows: Array<{ title: string; url: string }> = await stack.api.db.query('SELECT title, url FROM articles WHERE feed_id = $1', [feed.id]);
    expect(rows).toHaveLength(first.parsed);
    for (const r of rows) {
      expect(r.title).toBe(r.title.trim());
      expect(r.title).not.toMatch(/\n/);
      expect(r.url).toMatch(/^https?:\/\//);
    }
    // The poll handed its new articles to sentiment scoring (a child workflow) before finishing.
    const scores: Array<{ model_version: string; n: number }> = await stack.api.db.query(
      `SELECT s.model_version, count(*)::int AS n FROM sentiment_scores s JOIN articles a ON a.id = s.article_id WHERE a.feed_id = $1 GROUP BY 1`,
      [feed.id],
    );
    expect(scores).toHaveLength(1);
    expect(scores[0].n).toBe(first.parsed);
    const health = await stack.api.db.getRepository(Feed).findOneByOrFail({ id: feed.id });
    expect(health.articlesIngested).toBe(first.parsed);
    expect(health.lastSuccessAt).not.toBeNull();
    expect(health.etag).toBeTruthy();

    // Conditional GET: the server answers 304 and nothing is stored.
    const second = await poll(feed.id);
    expect(second.status).toBe('not-modified');
    expect(second.newArticleIds).toEqual([]);

    // A server that ignores ETags: the dedupe keys absorb the whole feed.
    feeds.setHonourEtag(false);
    try {
      const third = await poll(feed.id);
      expect(third.status).toBe('ok');
      expect(third.newArticleIds).toEqual([]);
    } finally {
      feeds.setHonourEtag(true);
    }
    const [{ count }] = await stack.api.db.query('SELECT count(*)::int AS count FROM articles WHERE feed_id = $1', [feed.id]);
    expect(count).toBe(first.parsed);
  });

  it('a poll retried after its store committed still hands the stored articles to scoring', async () => {
    // The retry of a poll whose worker died after committing: same poll id, and the feed now
    // answers 304 (the ETag was committed with the articles).
    const feed = await addFeed('/press-again.rss');
    const activities = ingestionActivities(stack.api.db, stack.log, { destinationPolicy: stack.config.fetchPolicy });
    const env = new MockActivityEnvironment();
    const pollId = `poll-retry-${randomUUID()}`;
    const first = (await env.run(activities.pollFeed, { feedId: feed.id, pollId })) as PollOutcome;
    expect(first.status).toBe('ok');
    expect(first.newArticleIds.length).toBeGreaterThan(5);
    const retried = (await env.run(activities.pollFeed, { feedId: feed.id, pollId })) as PollOutcome;
    expect(retried.status).toBe('not-modified');
    expect([...retried.newArticleIds].sort()).toEqual([...first.newArticleIds].sort());
    // Another poll of the same feed claims nothing it did not store.
    const other = (await env.run(activities.pollFeed, { feedId: feed.id, pollId: `poll-other-${randomUUID()}` })) as PollOutcome;
    expect(other.newArticleIds).toEqual([]);
  });

  it('two racing polls of the same feed insert each article once', async () => {
    const feed = await addFeed('/filings.atom');
    feeds.setHonourEtag(false);
    try {
      const [a, b] = await Promise.all([poll(feed.id), poll(feed.id)]);
      const [{ count }] = await stack.api.db.query('SELECT count(*)::int AS count FROM articles WHERE feed_id = $1', [feed.id]);
      expect(a.newArticleIds.length + b.newArticleIds.length).toBe(count);
      expect(count).toBe(a.parsed);
    } finally {
      feeds.setHonourEtag(true);
    }
  });

  it('hostile and broken feeds are recorded on the feed, fail without retries, and change nothing stored', async () => {
    const [{ count: before }] = await stack.api.db.query('SELECT count(*)::int AS count FROM articles');
    const hostile = [
      ['/bomb.xml', 'FORBIDDEN_DTD'],
      ['/xxe.xml', 'FORBIDDEN_DTD'],
      ['/huge.xml', 'TOO_LARGE'],
      ['/bad-utf8.xml', 'INVALID_ENCODING'],
      ['/not-xml', 'NOT_A_FEED'],
      ['/missing.rss', 'NOT_FOUND'],
    ] as const;
    for (const [path, code] of hostile) {
      const feed = await addFeed(path);
      const requestsBefore = feeds.requests();
      const outcome = await poll(feed.id);
      expect(outcome.status).toBe('failed');
      expect(outcome.reason).toContain(code);
      expect(feeds.requests() - requestsBefore).toBe(1); // permanent: no retry storm
      const health = await stack.api.db.getRepository(Feed).findOneByOrFail({ id: feed.id });
      expect(health.lastError).toContain(code);
      expect(health.consecutiveFailures).toBe(1);
    }
    const [{ count: after }] = await stack.api.db.query('SELECT count(*)::int AS count FROM articles');
    expect(after).toBe(before);
  });

  it('items with no link, date or title are kept when identifiable and skipped with a reason otherwise', async () => {
    const feed = await addFeed('/sparse.rss');
    const outcome = await poll(feed.id);
    expect(outcome.status).toBe('ok');
    // The empty <item/> and the description-only item have nothing to identify them by.
    expect(outcome.skippedItems).toBe(2);
    const rows: Array<{ title: string; url: string | null; published_at_estimated: boolean }> = await stack.api.db.query(
      'SELECT title, url, published_at_estimated FROM articles WHERE feed_id = $1',
      [feed.id],
    );
    // A relative link resolves against the document's own URL (its XML base), as a browser would.
    expect(rows).toEqual([{ title: 'Relative link, no date', url: new URL('/news/1', feed.url).toString(), published_at_estimated: true }]);
  });

  it('a transient 503 with Retry-After is retried by Temporal until the feed answers; a broken feed does not block others', async () => {
    const flaky = await addFeed('/flaky.rss');
    const broken = await addFeed('/bomb.xml');
    const [flakyOutcome, brokenOutcome] = await Promise.all([poll(flaky.id), poll(broken.id)]);
    expect(brokenOutcome.status).toBe('failed');
    expect(flakyOutcome.status).toBe('ok');
    expect(feeds.flakyCalls()).toBe(3);
    const health = await stack.api.db.getRepository(Feed).findOneByOrFail({ id: flaky.id });
    expect(health.consecutiveFailures).toBe(0); // reset by the success
    expect(health.lastError).toBeNull();
  });

  it('the rss_polling flag off skips polls without fetching', async () => {
    const feed = await addFeed('/press.rss');
    await stack.api.db.query(`UPDATE feature_flags SET enabled = false WHERE key = 'rss_polling'`);
    try {
      const requestsBefore = feeds.requests();
      const outcome = await poll(feed.id);
      expect(outcome).toMatchObject({ status: 'skipped', reason: 'rss_polling is off' });
      expect(feeds.requests()).toBe(requestsBefore);
    } finally {
      await stack.api.db.query(`UPDATE feature_flags SET enabled = true WHERE key = 'rss_polling'`);
    }
  });
});
