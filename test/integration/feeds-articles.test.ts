import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../entities';
import { scheduleIdFor } from '../../services/feed.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV, uniqueSecFeed } from '../support/feed-fixtures';
import { startTestStack, testEnv, type TestStack } from '../support/stack';

describe('feeds and articles over GraphQL', () => {
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  let admin: TestIdentity;
  let user: TestIdentity;
  const feedBody = uniqueSecFeed('sec_pressreleases.rss');
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedBody));

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    stack = await startTestStack({ worker: true, env: LOCAL_FEEDS_ENV });
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    user = await createIdentity(stack.api.db, Role.USER);
  });
  afterAll(async () => {
    await temporal.close();
    await stack.stop();
    server.close();
  });

  it('an admin adds a feed with a Temporal Schedule, ingests it now, pauses, resumes and removes it', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/press.rss`;
    const added = await stack.gql<{ addFeed: { id: string; pollIntervalSeconds: number; paused: boolean } }>(
      'mutation($input: AddFeedInput!) { addFeed(input: $input) { id pollIntervalSeconds paused } }',
      { input: { url, name: 'SEC press', pollIntervalSeconds: 3600 } },
      admin.headers,
    );
    expect(added.errors).toBeUndefined();
    const feedId = added.data!.addFeed.id;
    const schedule = await temporal.client.schedule.getHandle(scheduleIdFor(feedId)).describe();
    expect(schedule.spec.intervals?.[0].every).toBe(3_600_000);
    expect(schedule.policies.overlap).toBe('SKIP');

    const duplicate = await stack.gql('mutation($input: AddFeedInput!) { addFeed(input: $input) { id } }', { input: { url, name: 'again', pollIntervalSeconds: 3600 } }, admin.headers);
    expect(duplicate.errors![0].extensions!.code).toBe('CONFLICT');

    const now = await stack.gql<{ ingestFeedNow: string }>('mutation($id: ID!) { ingestFeedNow(id: $id) }', { id: feedId }, admin.headers);
    await temporal.client.workflow.getHandle(now.data!.ingestFeedNow).result();
    const list = await stack.gql<{ feeds: Array<{ id: string; articlesIngested: number; lastSuccessAt: string | null; consecutiveFailures: number; lastError: string | null }> }>(
      '{ feeds { id articlesIngested lastSuccessAt consecutiveFailures lastError } }',
      undefined,
      admin.headers,
    );
    const mine = list.data!.feeds.find((f) => f.id === feedId)!;
    expect(mine.articlesIngested).toBeGreaterThan(5);
    expect(mine.lastSuccessAt).not.toBeNull();
    expect(mine).toMatchObject({ consecutiveFailures: 0, lastError: null });

    const paused = await stack.gql<{ pauseFeed: { paused: boolean } }>('mutation($id: ID!) { pauseFeed(id: $id) { paused } }', { id: feedId }, admin.headers);
    expect(paused.data!.pauseFeed.paused).toBe(true);
    expect((await temporal.client.schedule.getHandle(scheduleIdFor(feedId)).describe()).state.paused).toBe(true);
    await stack.gql('mutation($id: ID!) { resumeFeed(id: $id) { paused } }', { id: feedId }, admin.headers);
    expect((await temporal.client.schedule.getHandle(scheduleIdFor(feedId)).describe()).state.paused).toBe(false);

    const removed = await stack.gql<{ removeFeed: boolean }>('mutation($id: ID!) { removeFeed(id: $id) }', { id: feedId }, admin.headers);
    expect(removed.data!.removeFeed).toBe(true);
    await expect(temporal.client.schedule.getHandle(scheduleIdFor(feedId)).describe()).rejects.toThrow();
    const [{ kept }] = await stack.api.db.query(`SELECT count(*)::int AS kept FROM articles WHERE url LIKE 'https://www.sec.gov/%'`);
    expect(kept).toBeGreaterThan(5);
  });

  it('feed administration is for admins; bad input is BAD_USER_INPUT', async () => {
    const forbidden = await stack.gql('{ feeds { id } }', undefined, user.headers);
    expect(forbidden.errors![0].extensions!.code).toBe('FORBIDDEN');
    const bad = await stack.gql('mutation { addFeed(input: { url: "ftp://x.example/feed", name: "x", pollIntervalSeconds: 5 }) { id } }', undefined, admin.headers);
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('importArticles keeps good items, reports bad ones by index, and dedupes', async () => {
    const items = [
      { title: 'Apple unveils record buyback as $AAPL jumps', url: 'https://push.example/a1', publishedAt: '2026-11-20T10:00:00Z' },
      { title: 'NASDAQ:MSFT slides after guidance cut', url: 'https://push.example/a2?utm_source=x', publishedAt: 'Fri, 20 Nov 2026 11:00:00 GMT' },
      { title: 'bad date', url: 'https://push.example/a3', publishedAt: 'next tuesday-ish' },
      { summary: '', url: 'not a url' },
      { title: 'Apple unveils record buyback as $AAPL jumps', url: 'https://push.example/a1#dup' },
    ];
    const res = await stack.gql<{ importArticles: { insertedIds: string[]; duplicates: number; errors: Array<{ index: number; reason: string }> } }>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds duplicates errors { index reason } } }',
      { items },
      user.headers,
    );
    expect(res.errors).toBeUndefined();
    const report = res.data!.importArticles;
    expect(report.insertedIds).toHaveLength(2);
    expect(report.duplicates).toBe(1);
    expect(report.errors.map((e) => e.index).sort()).toEqual([2, 3]);
    const again = await stack.gql<{ importArticles: { insertedIds: string[]; duplicates: number } }>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds duplicates } }',
      { items: items.slice(0, 2) },
      user.headers,
    );
    expect(again.data!.importArticles).toEqual({ insertedIds: [], duplicates: 2 });
  });

  it('articles: filters, newest first, cursor pages, tickers with relevance and sentiment once scored', async () => {
    const titles = Array.from({ length: 5 }, (_, i) => ({ title: `$NVDA headline ${i} beats estimates`, url: `https://push.example/nvda/${i}`, publishedAt: `2026-11-2${i}T09:00:00Z` }));
    const imported = await stack.gql<{ importArticles: { insertedIds: string[] } }>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }',
      { items: titles },
      user.headers,
    );
    const ids = imported.data!.importArticles.insertedIds;
    // Scoring runs in the worker right after the import; wait for it.
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await stack.api.db.query('SELECT count(*)::int AS n FROM sentiment_scores WHERE article_id = ANY($1)', [ids]);
      if (n === ids.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The database is shared with other test files, some of which store Nvidia news too: the
    // date range keeps the page to this test's five articles (2026-11-20 .. 24, 09:00).
    const query = `query($after: String) { articles(filter: { tickers: ["nvda"], search: "headline", from: "2026-11-20T08:00:00Z", to: "2026-11-25T00:00:00Z" }, first: 2, after: $after) {
      edges { cursor node { id title publishedAt tickers { ticker relevance matchedBy } sentiment { label score modelVersion } } }
      pageInfo { hasNextPage endCursor } } }`;
    type Page = { articles: { edges: Array<{ node: { title: string; publishedAt: string; tickers: Array<{ ticker: string; relevance: number; matchedBy: string[] }>; sentiment: { label: string; score: number; modelVersion: string } | null } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await stack.gql<Page>(query, { after }, user.headers);
      expect(res.errors).toBeUndefined();
      for (const e of res.data!.articles.edges) {
        seen.push(e.node.publishedAt);
        expect(e.node.tickers[0]).toMatchObject({ ticker: 'NVDA', matchedBy: ['cashtag'] });
        expect(e.node.tickers[0].relevance).toBeGreaterThan(0);
        expect(e.node.sentiment?.modelVersion).toBeTruthy();
      }
      if (!res.data!.articles.pageInfo.hasNextPage) break;
      after = res.data!.articles.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort().reverse()).toEqual(seen);

    const searched = await stack.gql<Page>('{ articles(filter: { search: "headline 3", from: "2026-11-01T00:00:00Z" }, first: 10) { edges { node { title } } pageInfo { hasNextPage endCursor } } }', undefined, user.headers);
    expect(searched.data!.articles.edges.map((e) => e.node.title)).toEqual(['$NVDA headline 3 beats estimates']);
    const badCursor = await stack.gql('{ articles(first: 2, after: "garbage") { edges { cursor } } }', undefined, user.headers);
    expect(badCursor.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const one = await stack.gql<{ article: { id: string } }>('query($id: ID!) { article(id: $id) { id } }', { id: ids[0] }, user.headers);
    expect(one.data!.article.id).toBe(ids[0]);
    const anon = await stack.gql('{ articles(first: 1) { edges { cursor } } }');
    expect(anon.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});
