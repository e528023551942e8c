import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { signalForTicker, tickersOfArticles } from '../store/signal-store';
import type { ComputeSignalsInput, ComputeSignalsResult } from '../contracts';
import type { Queryable } from '../events/publish';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/metrics';
import { heartbeating } from './heartbeat';
import { signalFanOut } from './webhook-fanout';
import type { WebhookOptions } from './webhook-options';
import { isUuid } from '../domain/ids';
import { latestScoreTime } from '../store/pipeline-latency-store';

const MAX_TICKERS = 500;

async function affectedTickers(db: Queryable, input: ComputeSignalsInput): Promise<string[]> {
  const tickers = new Set((input.tickers ?? []).map((t) => t.trim().toUpperCase()).filter(Boolean));
  const bad = (input.articleIds ?? []).find((id) => !isUuid(id));
  if (bad !== undefined) throw ApplicationFailure.nonRetryable(`article id '${bad}' is not a UUID`, 'SignalInputError');
  if (input.articleIds && input.articleIds.length > 0) {
    for (const ticker of await tickersOfArticles(db, input.articleIds)) tickers.add(ticker);
  }
  if (tickers.size > MAX_TICKERS) {
    throw ApplicationFailure.nonRetryable(`computeSignals got ${tickers.size} tickers; at most ${MAX_TICKERS} per call`, 'SignalInputError');
  }
  return [...tickers].sort();
}

function parseAsOf(raw: string | undefined): Date {
  if (raw === undefined) return new Date();
  const asOf = new Date(raw);
  if (!Number.isFinite(asOf.getTime())) throw ApplicationFailure.nonRetryable(`asOf '${raw}' is not a valid time`, 'SignalInputError');
  return asOf;
}

export function signalActivities(db: DataSource, log: Logger, metrics: WorkerMetrics = createWorkerMetrics(), webhooks: WebhookOptions = {}) {
  const fanOut = signalFanOut(db, log, webhooks, metrics);
  return {
    /**
     * Signals as of `asOf` for the tickers of `articleIds` plus `tickers`. Each ticker commits
     * on its own (its NOTIFY goes out with it), so a retry after a partial failure finds the
     * finished tickers already stored and only computes the rest. Heartbeats every 2 s throughout,
     * also while it waits for the webhook rounds of the signals it stored.
     */
    computeSignals: heartbeating(async (input: ComputeSignalsInput): Promise<ComputeSignalsResult> => {
      const asOf = parseAsOf(input.asOf);
      const tickers = await affectedTickers(db, input);
      const result: ComputeSignalsResult = { asOf: asOf.toISOString(), signals: [], skipped: [] };
      // Score -> signal: from the latest score of the news that asked for these signals.
      const scoredAt = input.articleIds?.length ? await latestScoreTime(db, input.articleIds) : null;
      // Each signal's webhooks go out as soon as it commits, while the next ticker is computed
      // (a slow receiver never holds up the other tickers' signals); the activity ends when every
      // first attempt is recorded or handed to its delivery workflow.
      const deliveries: Array<Promise<unknown>> = [];
      for (const ticker of tickers) {
        const outcome = await signalForTicker(db, ticker, asOf, {});
        if ('skipped' in outcome) result.skipped.push({ ticker, reason: outcome.skipped });
        else {
          result.signals.push(outcome);
          if (outcome.created) metrics.signalEmitted(outcome.type);
          if (outcome.created && scoredAt !== null) metrics.stageLatency('score_to_signal', (Date.now() - scoredAt) / 1000);
          // Also for a signal an earlier attempt stored (created: false): that attempt may have
          // died before its deliveries were made or handed over.
          const delivery = fanOut.deliver([outcome.id]);
          delivery.catch(() => undefined); // handled below, after the loop (not an unhandled rejection meanwhile)
          deliveries.push(delivery);
        }
        heartbeat({ ticker });
      }
      const failed = (await Promise.allSettled(deliveries)).find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      log.debug({ asOf: result.asOf, signals: result.signals.length, skipped: result.skipped.length }, 'signals computed');
      return result;
    }),
  };
}
