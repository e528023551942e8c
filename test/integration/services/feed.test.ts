/**
 * FeedService's rules against the real PostgreSQL (store/feed-store) and the real Temporal dev
 * server (the feed's schedule): URL, name and interval validation with the destination guard as
 * the first line against internal addresses, CONFLICT on a second feed with the same URL,
 * NOT_FOUND for unknown feeds, and add/remove keeping the row and the schedule together.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { parseDestinationPolicy } from '../../../domain/net/destination-guard';
import { FeedService, MAX_POLL_SECONDS, MIN_POLL_SECONDS, scheduleIdFor } from '../../../services/feed.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../../temporal/client';
import { testEnv } from '../../support/stack';

// A queue no worker serves: the schedule's first poll waits there, nothing is fetched.
const TASK_QUEUE = `svc-feed-${randomUUID()}`;
const feedUrl = () => `https://news.example.com/${randomUUID()}.xml`;

describe('FeedService', () => {
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let feeds: FeedService;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    feeds = new FeedService(db, temporal.client, TASK_QUEUE);
  });
  afterAll(async () => {
    await temporal.close();
    await db.destroy();
  });

  const refusals: Array<[string, string]> = [
    ['not a url', 'is not a URL'],
    ['ftp://news.example.com/feed.xml', 'http or https'],
    ['https://user:secret@news.example.com/feed.xml', 'credentials'],
    ['http://127.0.0.1/feed.xml', ''],
    ['http://169.254.169.254/latest/meta-data', ''],
    ['http://localhost/feed.xml', ''],
    ['http://10.0.0.5/feed.xml', ''],
    ['https://news.example.com:8443/feed.xml', ''],
  ];
  it.each(refusals)('refuses the URL %p on field url and stores no feed', async (url, says) => {
    const err = await feeds.add({ url, name: 'bad', pollIntervalSeconds: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    expect((err as Error).message).toContain(says);
    expect((await feeds.list()).some((f) => f.url.startsWith(url))).toBe(false);
  });

  it('allows an internal address the configured policy allows', async () => {
    const allowing = new FeedService(db, temporal.client, TASK_QUEUE, parseDestinationPolicy('127.0.0.1', '80,443,8080'));
    const url = `http://127.0.0.1:8080/${randomUUID()}.xml`;
    const feed = await allowing.add({ url, name: 'local', pollIntervalSeconds: 300 });
    expect(feed.url).toBe(url);
    expect(await allowing.remove(feed.id)).toBe(true);
  });

  it.each(['', '   ', 'n'.repeat(201)])('refuses the name %p on field name', async (name) => {
    await expect(feeds.add({ url: feedUrl(), name, pollIntervalSeconds: 300 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it.each([MIN_POLL_SECONDS - 1, MAX_POLL_SECONDS + 1, 90.5])('refuses a poll interval of %p seconds', async (pollIntervalSeconds) => {
    await expect(feeds.add({ url: feedUrl(), name: 'interval', pollIntervalSeconds })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'pollIntervalSeconds' });
  });

  it('adds a feed with its schedule, refuses the same URL again as CONFLICT, and removes both', async () => {
    const url = feedUrl();
    const feed = await feeds.add({ url, name: '  Example news  ', pollIntervalSeconds: 600 });
    expect(feed).toMatchObject({ url, name: 'Example news', pollIntervalSeconds: 600, paused: false });
    const schedule = await temporal.client.schedule.getHandle(scheduleIdFor(feed.id)).describe();
    expect(schedule.state.paused).toBe(false);
    await expect(feeds.add({ url, name: 'again', pollIntervalSeconds: 600 })).rejects.toMatchObject({ code: 'CONFLICT', field: 'url' });
    expect((await feeds.list()).filter((f) => f.url === url)).toHaveLength(1);

    expect(await feeds.setPaused(feed.id, true)).toMatchObject({ paused: true });
    expect((await feeds.get(feed.id)).paused).toBe(true);
    expect(await feeds.nextPollAt(feed.id)).toBeNull();

    expect(await feeds.remove(feed.id)).toBe(true);
    await expect(feeds.get(feed.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(temporal.client.schedule.getHandle(scheduleIdFor(feed.id)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(await feeds.nextPollAt(feed.id)).toBeNull();
  });

  it('answers NOT_FOUND for every operation on an unknown feed', async () => {
    const id = randomUUID();
    await expect(feeds.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(feeds.setPaused(id, true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(feeds.remove(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(feeds.ingestNow(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
