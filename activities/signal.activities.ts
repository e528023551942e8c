import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../config/logger';
import { evaluateSignalAt, NO_SIGNAL_BASIS } from '../store/signal-input-store';
import type { ComputedSignalRef, ComputeSignalsInput, ComputeSignalsResult } from '../contracts';
import { type SignalParamsOverrides } from '../domain/signals';
import { publishEvent, type Queryable } from '../events/publish';
import { Topic } from '../events/topics';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/metrics';
import { fanOutSignals, type WebhookOptions } from './webhook.activities';
import { isUuid } from '../domain/ids';

const MAX_TICKERS = 500;

async function affectedTickers(db: Queryable, input: ComputeSignalsInput): Promise<string[]> {
  const tickers = new Set((input.tickers ?? []).map((t) => t.trim().toUpperCase()).filter(Boolean));
  const bad = (input.articleIds ?? []).find((id) => !isUuid(id));
  if (bad !== undefined) throw ApplicationFailure.nonRetryable(`article id '${bad}' is not a UUID`, 'SignalInputError');
  if (input.articleIds && input.articleIds.length > 0) {
    const rows = (await db.query(`SELECT DISTINCT ticker FROM article_tickers WHERE article_id = ANY($1::uuid[])`, [input.articleIds])) as Array<{ ticker: string }>;
    for (const r of rows) tickers.add(r.ticker);
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

/**
 * Computes, stores and announces one ticker's signal in one transaction. Idempotent without a
 * unique index: a transaction-scoped advisory lock on (ticker, asOf) serialises concurrent
 * attempts, and an existing signal with the same ticker, asOf and params is returned instead
 * of writing a second one.
 */
async function signalForTicker(db: DataSource, ticker: string, asOf: Date, overrides: SignalParamsOverrides): Promise<ComputedSignalRef | { skipped: string }> {
  return db.transaction(async (tx: EntityManager) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('signal:' || $1 || ':' || $2))`, [ticker, asOf.toISOString()]);
    const [prev] = (await tx.query(`SELECT max(as_of) AS as_of FROM signals WHERE ticker = $1 AND as_of < $2`, [ticker, asOf.toISOString()])) as Array<{ as_of: Date | null }>;
    const signal = await evaluateSignalAt(tx, ticker, asOf, { overrides, previousSignalAt: prev?.as_of ? new Date(prev.as_of) : null });
    if (!signal) return { skipped: NO_SIGNAL_BASIS };
    const storedParams = JSON.stringify(signal.provenance.params);
    const [existing] = (await tx.query(
      `SELECT id, type, confidence FROM signals WHERE ticker = $1 AND as_of = $2 AND params = $3::jsonb LIMIT 1`,
      [ticker, asOf.toISOString(), storedParams],
    )) as Array<{ id: string; type: string; confidence: number }>;
    if (existing) return { id: existing.id, ticker, type: existing.type, confidence: existing.confidence, created: false };

    const features = { ...signal.features, lastBarTime: signal.provenance.lastBarTime };
    const [row] = (await tx.query(
      `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size, features, model_versions, params)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::text[], $9::jsonb) RETURNING id, confidence`,
      [ticker, asOf.toISOString(), signal.type, signal.confidence, signal.riskLevel, signal.suggestedPositionSize, JSON.stringify(features), signal.provenance.modelVersions, storedParams],
    )) as Array<{ id: string; confidence: number }>;
    if (signal.provenance.articleIds.length > 0) {
      await tx.query(`INSERT INTO signal_articles (signal_id, article_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [row.id, signal.provenance.articleIds]);
    }
    // `real` rounds: announce and return what a reader will find in the table.
    const confidence = row.confidence;
    await publishEvent(tx, Topic.SIGNAL_CREATED, ticker, { id: row.id, ticker, type: signal.type, confidence });
    return { id: row.id, ticker, type: signal.type, confidence, created: true };
  });
}

export function signalActivities(db: DataSource, log: Logger, metrics: WorkerMetrics = createWorkerMetrics(), webhooks: WebhookOptions = {}) {
  return {
    /**
     * Signals as of `asOf` for the tickers of `articleIds` plus `tickers`. Each ticker commits
     * on its own (its NOTIFY goes out with it), so a retry after a partial failure finds the
     * finished tickers already stored and only computes the rest.
     */
    async computeSignals(input: ComputeSignalsInput): Promise<ComputeSignalsResult> {
      const asOf = parseAsOf(input.asOf);
      const tickers = await affectedTickers(db, input);
      const result: ComputeSignalsResult = { asOf: asOf.toISOString(), signals: [], skipped: [] };
      for (const ticker of tickers) {
        const outcome = await signalForTicker(db, ticker, asOf, {});
        if ('skipped' in outcome) result.skipped.push({ ticker, reason: outcome.skipped });
        else {
          result.signals.push(outcome);
          if (outcome.created) metrics.signalEmitted(outcome.type);
          // Webhooks for this signal now, not after every ticker: also for a signal an earlier
          // attempt stored (created: false), since that attempt may have died before this step.
          await fanOutSignals(db, [outcome.id], webhooks);
        }
        heartbeat({ ticker });
      }
      log.debug({ asOf: result.asOf, signals: result.signals.length, skipped: result.skipped.length }, 'signals computed');
      return result;
    },
  };
}
