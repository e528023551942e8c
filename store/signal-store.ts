/** Live signals as stored (signals, signal_articles): computed once per (ticker, asOf, params) and announced. */
import type { DataSource, EntityManager } from 'typeorm';
import type { ComputedSignalRef } from '../contracts';
import type { SignalParamsOverrides } from '../domain/signals';
import { publishEvent, type Queryable } from '../events/publish';
import { Topic } from '../events/topics';
import { evaluateSignalAt, NO_SIGNAL_BASIS } from './signal-input-store';

/** The tickers the given articles mention. */
export async function tickersOfArticles(db: Queryable, articleIds: string[]): Promise<string[]> {
  const rows = (await db.query(`SELECT DISTINCT ticker FROM article_tickers WHERE article_id = ANY($1::uuid[])`, [articleIds])) as Array<{ ticker: string }>;
  return rows.map((r) => r.ticker);
}

/**
 * Computes, stores and announces one ticker's signal in one transaction. Idempotent without a
 * unique index: a transaction-scoped advisory lock on (ticker, asOf) serialises concurrent
 * attempts, and an existing signal with the same ticker, asOf and params is returned instead
 * of writing a second one.
 */
export async function signalForTicker(db: DataSource, ticker: string, asOf: Date, overrides: SignalParamsOverrides): Promise<ComputedSignalRef | { skipped: string }> {
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
