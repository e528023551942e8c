/**
 * pollFeed (activities/ingestion.activities.ts) against the real PostgreSQL and a real local
 * HTTP server, in the SDK's activity harness: a feed's articles are stored once however many
 * polls fetch them, and a poll of a missing or paused feed fetches nothing (rss_polling off is
 * covered by test/integration/ingestion.test.ts; switching it off here would race other files).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { ingestionActivities } from '../../../activities/ingestion.activities';
import { createLogger } from '../../../config/logger';
import type { PollOutcome } from '../../../contracts';
import { createDataSource } from '../../../db/data-source';
import { parseDestinationPolicy } from '../../../domain/net/destination-guard';
import { changeFlag } from '../../../store/feature-flag-store';
import { insertFeed, setFeedPaused } from '../../../store/feed-store';
import { uniqueSecFeed } from '../../support/feed-fixtures';
import { testEnv } from '../../support/stack';

describe('pollFeed activity', () => {
  let db: DataSource;
  let server: http.Server;
  let base: string;
  let requests = 0;
  let activities: ReturnType<typeof ingestionActivities>;
  const bodies = new Map<string, Buffer>();
  const poll = (feedId: string) => new MockActivityEnvironment().run(activities.pollFeed, { feedId, pollId: `poll-${randomUUID()}` }) as Promise<PollOutcome>;
  const articlesOf = async (feedId: string) => ((await db.query(`SELECT count(*)::int AS n FROM articles WHERE feed_id = $1`, [feedId])) as Array<{ n: number }>)[0].n;
  const addFeed = async () => {
    const path = `/${randomUUID()}.rss`;
    bodies.set(path, uniqueSecFeed('sec_pressreleases.rss'));
    return (await insertFeed(db, `${base}${path}`, 'activity test', 300))!;
  };

  beforeAll(async () => {
    // No ETag or Last-Modified: every poll gets the whole feed, so only the store can dedupe.
    server = http.createServer((req, res) => {
      requests++;
      const body = bodies.get(req.url!);
      if (!body) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    activities = ingestionActivities(db, createLogger({ level: 'silent' }), { destinationPolicy: parseDestinationPolicy('127.0.0.1') });
    await changeFlag(db, 'rss_polling', randomUUID(), (old) => ({ enabled: true, description: old?.description ?? '' }));
  });
  afterAll(async () => {
    await db.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('stores a feed\'s articles once: a second poll of the same items stores none and counts them as duplicates', async () => {
    const feedId = await addFeed();
    const first = await poll(feedId);
    expect(first.status).toBe('ok');
    expect(first.newArticleIds.length).toBeGreaterThan(5);
    expect(await articlesOf(feedId)).toBe(first.newArticleIds.length);
    const second = await poll(feedId);
    expect(second).toMatchObject({ status: 'ok', newArticleIds: [], parsed: first.parsed });
    expect(second.duplicates).toBeGreaterThanOrEqual(first.newArticleIds.length);
    expect(await articlesOf(feedId)).toBe(first.newArticleIds.length);
  });

  it('skips a feed that no longer exists and a paused feed without fetching', async () => {
    expect(await poll(randomUUID())).toMatchObject({ status: 'skipped', reason: 'feed no longer exists', newArticleIds: [] });
    const feedId = await addFeed();
    await setFeedPaused(db, feedId, true);
    const before = requests;
    expect(await poll(feedId)).toMatchObject({ status: 'skipped', reason: 'feed is paused' });
    expect(requests).toBe(before);
    expect(await articlesOf(feedId)).toBe(0);
  });
});
