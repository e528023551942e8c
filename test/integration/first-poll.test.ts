import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV, uniqueSecFeed } from '../support/feed-fixtures';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Issue 24: a new feed is polled at once, not an interval later, and a resumed feed catches up at
 * once; `nextPollAt` says when the schedule polls next. The interval is long (900 s) so only the
 * immediate trigger can explain a request within the test's deadline.
 */
describe('a new feed is polled at once', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  const body = uniqueSecFeed('sec_pressreleases.rss');
  const requests: number[] = [];
  const server = http.createServer((_req, res) => {
    requests.push(Date.now());
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  });

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    stack = await startTestStack({ worker: true, env: LOCAL_FEEDS_ENV });
    admin = await createIdentity(stack.api.db, Role.ADMIN);
  });
  afterAll(async () => {
    await stack.stop();
    server.close();
  });

  type FeedHealth = { id: string; articlesIngested: number; lastSuccessAt: string | null; nextPollAt: string | null; paused: boolean };
  const health = async (id: string) =>
    (await stack.gql<{ feeds: FeedHealth[] }>('{ feeds { id articlesIngested lastSuccessAt nextPollAt paused } }', undefined, admin.headers)).data!.feeds.find((f) => f.id === id)!;

  it('fetches within seconds of addFeed with a 900 s interval, reports nextPollAt, and polls again at once on resume', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/first.rss`;
    const addedAt = Date.now();
    const added = await stack.gql<{ addFeed: { id: string } }>(
      'mutation($input: AddFeedInput!) { addFeed(input: $input) { id } }',
      { input: { url, name: 'first feed', pollIntervalSeconds: 900 } },
      admin.headers,
    );
    expect(added.errors).toBeUndefined();
    const feedId = added.data!.addFeed.id;

    let firstArticleAt: number | undefined;
    let feed = await health(feedId);
    for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      const [{ n }] = await stack.api.db.query('SELECT count(*)::int AS n FROM articles WHERE feed_id = $1', [feedId]);
      if (n > 0 && !firstArticleAt) firstArticleAt = Date.now();
      feed = await health(feedId);
      if (feed.lastSuccessAt && firstArticleAt) break;
    }
    const firstRequestAt = requests[0];
    expect(firstRequestAt).toBeDefined();
    expect(firstArticleAt).toBeDefined();
    expect(feed.articlesIngested).toBeGreaterThan(5);
    // Within seconds, not the 900 s interval.
    expect(firstRequestAt! - addedAt).toBeLessThan(15_000);
    // The timeline, for the report.
    console.log(`first-feed timeline: addFeed -> first request ${firstRequestAt! - addedAt} ms -> first article stored ${firstArticleAt! - addedAt} ms -> ${feed.articlesIngested} articles`);

    // The next poll is the schedule's next 900 s tick (Temporal aligns intervals to the epoch): later, within one interval.
    const next = new Date(feed.nextPollAt!).getTime();
    expect(next).toBeGreaterThan(Date.now());
    expect(next - addedAt).toBeLessThanOrEqual(905_000);
    expect(requests).toHaveLength(1);

    // Paused: no next poll. Resumed: polled again at once.
    const paused = await stack.gql<{ pauseFeed: { nextPollAt: string | null } }>('mutation($id: ID!) { pauseFeed(id: $id) { nextPollAt } }', { id: feedId }, admin.headers);
    expect(paused.data!.pauseFeed.nextPollAt).toBeNull();
    const resumedAt = Date.now();
    await stack.gql('mutation($id: ID!) { resumeFeed(id: $id) { id } }', { id: feedId }, admin.headers);
    for (const until = Date.now() + 15_000; requests.length < 2 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    expect(requests).toHaveLength(2);
    expect(requests[1]! - resumedAt).toBeLessThan(15_000);
    expect((await health(feedId)).nextPollAt).not.toBeNull();
  });
});
