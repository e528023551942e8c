/**
 * Price sources (admin): a URL template per source, the tickers it follows, and a Temporal
 * Schedule per source (`price-source-<id>`, after the US close by default) that fetches new
 * bars and recomputes the changed tickers' signals. Adding a source also ensures the daily
 * schedule (`signals-daily-recompute`) that recomputes every followed ticker's signals.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { ComputeSignalsResult } from '../contracts';
import { ServiceError } from './errors';
import { deleteSchedule, runScheduledWorkflowNow } from './schedules';
import { insertPriceSource } from '../store/price-source-store';
import { checkUrl, STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { expandUrlTemplate, UrlTemplateError, validateUrlTemplate } from '../domain/prices';
import { PriceFormat, PriceSource } from '../entities';
import { computeSignalsWorkflow } from '../workflows/signals.workflow';
import { fetchPricesWorkflow, recomputeFollowedSignalsWorkflow } from '../workflows/prices.workflow';
import { normaliseInterval, normaliseTicker } from './price-import.service';
import { workflowQueue } from '../domain/task-queues';

export interface AddPriceSourceInput {
  name: string;
  urlTemplate: string;
  format?: PriceFormat;
  tickers: string[];
  cron?: string;
  interval?: string;
}

/** 22:15 UTC on weekdays: after the 16:00 New York close in summer and in winter. */
export const DEFAULT_PRICE_CRON = '15 22 * * 1-5';
export const DAILY_RECOMPUTE_SCHEDULE = 'signals-daily-recompute';
export const MAX_TICKERS_PER_SOURCE = 500;
export const priceScheduleId = (id: string) => `price-source-${id}`;

const CRON = /^\s*(\S+\s+){4}\S+\s*$/;

function tickers(raw: string[]): string[] {
  try {
    const list = [...new Set(raw.map((t) => normaliseTicker(t)))].sort();
    if (list.length > MAX_TICKERS_PER_SOURCE) throw new ServiceError('BAD_USER_INPUT', `at most ${MAX_TICKERS_PER_SOURCE} tickers per source`, { field: 'tickers' });
    return list;
  } catch (err) {
    if (err instanceof ServiceError) throw new ServiceError('BAD_USER_INPUT', err.message, { field: 'tickers' });
    throw err;
  }
}

export class PriceSourceService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly destinationPolicy: DestinationPolicy = STRICT_POLICY,
    private readonly recomputeCron: string = '15 22 * * 1-5',
  ) {}

  private repo() {
    return this.db.getRepository(PriceSource);
  }

  list(): Promise<PriceSource[]> {
    return this.repo().find({ order: { createdAt: 'ASC' } });
  }

  async get(id: string): Promise<PriceSource> {
    const source = await this.repo().findOneBy({ id });
    if (!source) throw new ServiceError('NOT_FOUND', `no price source ${id}`);
    return source;
  }

  async add(input: AddPriceSourceInput): Promise<PriceSource> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new ServiceError('BAD_USER_INPUT', 'name must be 1 to 200 characters', { field: 'name' });
    let template: string;
    try {
      template = validateUrlTemplate(input.urlTemplate);
    } catch (err) {
      if (err instanceof UrlTemplateError) throw new ServiceError('BAD_USER_INPUT', err.message, { field: 'urlTemplate' });
      throw err;
    }
    const followed = tickers(input.tickers);
    // The destination guard's first line on the URL each ticker makes; the worker checks again after DNS and on every redirect.
    for (const t of followed.length ? followed : ['AAPL']) {
      const refusal = checkUrl(new URL(expandUrlTemplate(template, t)), this.destinationPolicy);
      if (refusal) throw new ServiceError('BAD_USER_INPUT', `price source URL ${refusal.reason}`, { field: 'urlTemplate' });
    }
    const cron = (input.cron ?? DEFAULT_PRICE_CRON).trim();
    if (!CRON.test(cron)) throw new ServiceError('BAD_USER_INPUT', `cron '${cron}' must have five fields (minute hour day month weekday, UTC)`, { field: 'cron' });
    let interval: string;
    try {
      interval = normaliseInterval(input.interval);
    } catch (err) {
      throw new ServiceError('BAD_USER_INPUT', (err as Error).message, { field: 'interval' });
    }
    const id = await insertPriceSource(this.db, { name, urlTemplate: template, format: input.format ?? PriceFormat.AUTO, interval, tickers: followed, cron });
    if (id === null) throw new ServiceError('CONFLICT', `a price source named '${name}' already exists`, { field: 'name' });
    const source = await this.get(id);
    try {
      await this.temporal.schedule.create({
        scheduleId: priceScheduleId(source.id),
        spec: { cronExpressions: [cron] },
        action: { type: 'startWorkflow', workflowType: fetchPricesWorkflow, args: [{ sourceId: source.id }], taskQueue: workflowQueue(this.taskQueue, fetchPricesWorkflow) },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        // Fetch once now, then on the cron: a new source has bars before its first cron tick.
        state: { triggerImmediately: true },
        memo: { name },
      });
      await this.ensureDailyRecompute();
    } catch (err) {
      await this.repo().delete({ id: source.id });
      await this.temporal.schedule.getHandle(priceScheduleId(source.id)).delete().catch(() => undefined);
      if (/invalid|cron/i.test((err as Error).message)) throw new ServiceError('BAD_USER_INPUT', `Temporal refused the schedule: ${(err as Error).message}`, { field: 'cron' });
      throw err;
    }
    return source;
  }

  /** The daily recompute of every followed ticker's signals; created once, kept across sources. */
  async ensureDailyRecompute(): Promise<void> {
    try {
      await this.temporal.schedule.create({
        scheduleId: DAILY_RECOMPUTE_SCHEDULE,
        spec: { cronExpressions: [this.recomputeCron] },
        action: { type: 'startWorkflow', workflowType: recomputeFollowedSignalsWorkflow, args: [], taskQueue: workflowQueue(this.taskQueue, recomputeFollowedSignalsWorkflow) },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }

  async setTickers(id: string, raw: string[]): Promise<PriceSource> {
    await this.get(id);
    await this.repo().update({ id }, { tickers: tickers(raw) });
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    await this.get(id);
    await deleteSchedule(this.temporal, priceScheduleId(id));
    await this.repo().delete({ id });
    return true;
  }

  /** Runs the source now, outside its schedule; returns the workflow id. */
  async fetchNow(id: string): Promise<string> {
    await this.get(id);
    return runScheduledWorkflowNow(this.temporal, workflowQueue(this.taskQueue, fetchPricesWorkflow), fetchPricesWorkflow, `prices-${id}`, [{ sourceId: id }]);
  }

  /** On-demand signals for these tickers as of `asOf` (default now); waits for the result. */
  async computeSignals(rawTickers: string[], asOf?: Date): Promise<ComputeSignalsResult & { workflowId: string }> {
    const list = tickers(rawTickers);
    if (list.length === 0) throw new ServiceError('BAD_USER_INPUT', 'name at least one ticker', { field: 'tickers' });
    if (asOf && !Number.isFinite(asOf.getTime())) throw new ServiceError('BAD_USER_INPUT', 'asOf is not a valid time', { field: 'asOf' });
    const workflowId = `signals-manual-${randomUUID()}`;
    const result = await this.temporal.workflow.execute(computeSignalsWorkflow, {
      taskQueue: workflowQueue(this.taskQueue, computeSignalsWorkflow),
      workflowId,
      args: [{ tickers: list, ...(asOf ? { asOf: asOf.toISOString() } : {}) }],
    });
    return { ...result, workflowId };
  }
}
