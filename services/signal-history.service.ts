/**
 * Replayed signal history: start a replay (replaySignalsWorkflow), follow it, read the series.
 * The replay itself lives in activities/signal-replay.activities.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { INTRADAY_SUFFIX, type ReplaySignalsInput } from '../contracts';
import { signalRulesVersion } from '../domain/signals';
import { HistoricalSignal, SignalReplay } from '../entities';
import { ServiceError } from './errors';
import { failReplayStart, insertPendingReplay, latestReplayedModelVersion, replayedSeries } from '../store/signal-replay-store';
import { normaliseTicker } from './price-import.service';
import { replaySignalsWorkflow } from '../workflows/signal-replay.workflow';
import { workflowQueue } from '../domain/task-queues';

export interface StartReplayInput {
  tickers: string[];
  from: string | Date;
  to: string | Date;
  intraday?: boolean;
  modelVersion?: string | null;
}

export interface SignalHistoryFilter {
  ticker: string;
  from?: Date;
  to?: Date;
  rulesVersion?: string;
  modelVersion?: string;
  /** 1..1000, default 200; oldest first. */
  limit?: number;
}

const MAX_TICKERS = 500;
const bad = (field: string, message: string) => new ServiceError('BAD_USER_INPUT', `${field}: ${message}`, { field });

function time(field: string, value: unknown): Date {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (!Number.isFinite(d.getTime())) throw bad(field, `must be an ISO date or time, got ${JSON.stringify(value)}`);
  return d;
}

export class SignalHistoryService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  /** Records the run (PENDING) and starts its workflow; the workflow id is the replay id. */
  async startReplay(input: StartReplayInput): Promise<SignalReplay> {
    if (!Array.isArray(input.tickers) || input.tickers.length === 0 || input.tickers.length > MAX_TICKERS) throw bad('tickers', `give 1 to ${MAX_TICKERS} tickers`);
    let tickers: string[];
    try {
      tickers = [...new Set(input.tickers.map((t) => normaliseTicker(t)))].sort();
    } catch (err) {
      throw new ServiceError('BAD_USER_INPUT', (err as Error).message, { field: 'tickers' });
    }
    const from = time('from', input.from);
    const to = time('to', input.to);
    if (!(from <= to)) throw bad('to', `must not be before from (${from.toISOString()})`);
    const modelVersion = input.modelVersion?.trim() || null;
    if (modelVersion !== null && !/^[A-Za-z0-9._:-]{1,100}$/.test(modelVersion)) throw bad('modelVersion', `is not a model version: ${JSON.stringify(input.modelVersion)}`);
    const id = `signal-replay-${randomUUID()}`;
    const args: ReplaySignalsInput = { targets: tickers.map((ticker) => ({ ticker, from: from.toISOString(), to: to.toISOString() })), intraday: input.intraday === true, ...(modelVersion ? { modelVersion } : {}) };
    await insertPendingReplay(this.db, {
      id,
      tickers,
      from: from.toISOString(),
      to: to.toISOString(),
      rulesVersion: signalRulesVersion() + (input.intraday === true ? INTRADAY_SUFFIX : ''),
      modelVersion: modelVersion ?? '',
      intraday: input.intraday === true,
    });
    try {
      await this.temporal.workflow.start(replaySignalsWorkflow, { taskQueue: workflowQueue(this.taskQueue, replaySignalsWorkflow), workflowId: id, args: [args] });
    } catch (err) {
      await failReplayStart(this.db, id, `could not start the workflow: ${(err as Error).message}`);
      throw err;
    }
    return this.db.getRepository(SignalReplay).findOneByOrFail({ id });
  }

  getReplay(id: string): Promise<SignalReplay | null> {
    return this.db.getRepository(SignalReplay).findOneBy({ id });
  }

  /** One series, oldest first. Without versions: the current rules and the series most recently written for the ticker. */
  async history(filter: SignalHistoryFilter): Promise<HistoricalSignal[]> {
    const ticker = normaliseTicker(filter.ticker);
    const limit = filter.limit ?? 200;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('first', 'must be 1 to 1000');
    const rulesVersion = filter.rulesVersion ?? signalRulesVersion();
    let modelVersion = filter.modelVersion;
    if (!modelVersion) {
      modelVersion = await latestReplayedModelVersion(this.db, ticker, rulesVersion);
      if (!modelVersion) return [];
    }
    return replayedSeries(this.db, { ticker, rulesVersion, modelVersion }, limit, filter.from, filter.to);
  }
}
