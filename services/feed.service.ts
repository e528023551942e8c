/**
 * Feeds and their Temporal Schedules: one schedule per feed (`feed-<id>`), every poll a
 * `pollFeedWorkflow`. Overlap SKIP: a slow poll is never stacked behind itself; the catch-up
 * window lets a restarted cluster run one missed poll rather than a burst. A new feed is polled at
 * once (the schedule is created with triggerImmediately), and so is a resumed one (trigger after
 * unpause), so nobody waits a whole interval for the first articles; `nextPollAt` reads the
 * schedule's next action time.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { deleteSchedule, runScheduledWorkflowNow } from './schedules';
import { insertFeed } from '../store/feed-store';
import { checkUrl, STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { Feed } from '../entities';
import { pollFeedWorkflow } from '../workflows/poll-feed.workflow';
import { workflowQueue } from '../domain/task-queues';

export interface AddFeedInput {
  url: string;
  name: string;
  pollIntervalSeconds: number;
}

export const MIN_POLL_SECONDS = 60;
export const MAX_POLL_SECONDS = 7 * 24 * 3600;

export const scheduleIdFor = (feedId: string) => `feed-${feedId}`;

function validUrl(raw: string, policy: DestinationPolicy): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ServiceError('BAD_USER_INPUT', `"${raw.slice(0, 200)}" is not a URL`, { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ServiceError('BAD_USER_INPUT', 'feed URLs must be http or https', { field: 'url' });
  if (url.username || url.password) throw new ServiceError('BAD_USER_INPUT', 'feed URLs must not carry credentials', { field: 'url' });
  // The SSRF guard's first line: literal internal addresses, internal names and odd ports. The
  // worker checks again after DNS resolution and on every redirect.
  const refusal = checkUrl(url, policy);
  if (refusal) throw new ServiceError('BAD_USER_INPUT', `feed URL ${refusal.reason}`, { field: 'url' });
  return url.toString();
}

export class FeedService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    /** config.fetchPolicy: the same allow-list the worker fetches with. */
    private readonly destinationPolicy: DestinationPolicy = STRICT_POLICY,
  ) {}

  private repo() {
    return this.db.getRepository(Feed);
  }

  async get(id: string): Promise<Feed> {
    const feed = await this.repo().findOneBy({ id });
    if (!feed) throw new ServiceError('NOT_FOUND', `no feed ${id}`);
    return feed;
  }

  list(): Promise<Feed[]> {
    return this.repo().find({ order: { createdAt: 'ASC' } });
  }

  async add(input: AddFeedInput): Promise<Feed> {
    const url = validUrl(input.url, this.destinationPolicy);
    const name = input.name.trim();
    if (!name || name.length > 200) throw new ServiceError('BAD_USER_INPUT', 'name must be 1 to 200 characters', { field: 'name' });
    const interval = input.pollIntervalSeconds;
    if (!Number.isInteger(interval) || interval < MIN_POLL_SECONDS || interval > MAX_POLL_SECONDS) {
      throw new ServiceError('BAD_USER_INPUT', `pollIntervalSeconds must be a whole number from ${MIN_POLL_SECONDS} to ${MAX_POLL_SECONDS}`, { field: 'pollIntervalSeconds' });
    }
    const id = await insertFeed(this.db, url, name, interval);
    if (id === null) throw new ServiceError('CONFLICT', `a feed with URL ${url} already exists`, { field: 'url' });
    const feed = await this.get(id);
    try {
      await this.temporal.schedule.create({
        scheduleId: scheduleIdFor(feed.id),
        spec: { intervals: [{ every: `${interval} seconds` }] },
        action: { type: 'startWorkflow', workflowType: pollFeedWorkflow, args: [{ feedId: feed.id }], taskQueue: workflowQueue(this.taskQueue, pollFeedWorkflow) },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(interval, 600)} seconds` },
        // The first poll now, then every interval: a new feed shows articles within seconds.
        state: { triggerImmediately: true },
        memo: { feedUrl: url },
      });
    } catch (err) {
      // No schedule, no feed: never leave a feed that silently never polls.
      await this.repo().delete({ id: feed.id });
      throw err;
    }
    return feed;
  }

  async setPaused(id: string, paused: boolean): Promise<Feed> {
    const feed = await this.get(id);
    const handle = this.temporal.schedule.getHandle(scheduleIdFor(id));
    if (paused) await handle.pause('paused through the API');
    else {
      await handle.unpause('resumed through the API');
      // Catch up at once rather than an interval later; SKIP if a poll is still running.
      await handle.trigger(ScheduleOverlapPolicy.SKIP);
    }
    await this.repo().update({ id }, { paused });
    return { ...feed, paused };
  }

  /** When the feed's schedule polls next; null while paused or when the schedule is gone. */
  async nextPollAt(id: string): Promise<Date | null> {
    try {
      const description = await this.temporal.schedule.getHandle(scheduleIdFor(id)).describe();
      if (description.state.paused) return null;
      return description.info.nextActionTimes[0] ?? null;
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
  }

  /** Deletes the feed and its schedule; its articles stay (feed_id becomes NULL). */
  async remove(id: string): Promise<boolean> {
    await this.get(id);
    await deleteSchedule(this.temporal, scheduleIdFor(id));
    await this.repo().delete({ id });
    return true;
  }

  /** Polls now, outside the schedule; returns the workflow id to follow in the Temporal UI. */
  async ingestNow(id: string): Promise<string> {
    await this.get(id);
    return runScheduledWorkflowNow(this.temporal, workflowQueue(this.taskQueue, pollFeedWorkflow), pollFeedWorkflow, `poll-${id}`, [{ feedId: id }]);
  }
}
