/** Replayed signal history as stored (signal_replays, signal_history) and the reads a replay plans from. */
import type { DataSource } from 'typeorm';
import type { ReplayChunk } from '../contracts';
import { HistoricalSignal } from '../entities';
import type { TradingSignal } from '../domain/signals';
import type { Queryable } from '../events/publish';
import { SIGNAL_BAR_INTERVAL } from './signal-input-store';

/** Daily bar closes in a chunk, and (intraday) the times its articles arrived, as epoch ms. */
export async function replayChunkTimes(db: Queryable, chunk: ReplayChunk, intraday: boolean): Promise<{ bars: number[]; articles: number[] }> {
  const bars = (await db.query(`SELECT time FROM price_bars WHERE ticker = $1 AND interval = $2 AND time >= $3 AND time <= $4`, [chunk.ticker, SIGNAL_BAR_INTERVAL, chunk.from, chunk.to])) as Array<{ time: Date }>;
  const articles = intraday
    ? ((await db.query(
        `SELECT DISTINCT at.published_at AS time FROM article_tickers at JOIN articles a ON a.id = at.article_id
         WHERE at.ticker = $1 AND at.published_at >= $2 AND at.published_at <= $3 AND a.published_at = at.published_at`,
        [chunk.ticker, chunk.from, chunk.to],
      )) as Array<{ time: Date }>)
    : [];
  return { bars: bars.map((b) => new Date(b.time).getTime()), articles: articles.map((a) => new Date(a.time).getTime()) };
}

export interface ReplayRecord {
  id: string;
  tickers: string[];
  from: string;
  to: string;
  rulesVersion: string;
  modelVersion: string;
  intraday: boolean;
  chunksTotal: number;
  params: unknown;
}

/** Records a replay as RUNNING (once: a retry, or a replay that already started, changes nothing but a PENDING row). */
export async function startSignalReplay(db: DataSource, r: ReplayRecord): Promise<void> {
  await db.query(
    `INSERT INTO signal_replays (id, status, tickers, from_time, to_time, rules_version, model_version, intraday, chunks_total, params)
     VALUES ($1, 'RUNNING', $2::text[], $3, $4, $5, $6, $7, $8, $9::jsonb)
     ON CONFLICT (id) DO UPDATE SET status = 'RUNNING', model_version = EXCLUDED.model_version, chunks_total = EXCLUDED.chunks_total, params = EXCLUDED.params
     WHERE signal_replays.status = 'PENDING'`,
    [r.id, r.tickers, r.from, r.to, r.rulesVersion, r.modelVersion, r.intraday, r.chunksTotal, JSON.stringify(r.params)],
  );
}

export interface SeriesKey {
  ticker: string;
  rulesVersion: string;
  modelVersion: string;
}

/** The series' newest decision before `asOf`, or null. */
export async function previousReplayedSignalAt(db: Queryable, key: SeriesKey, asOf: Date): Promise<Date | null> {
  const [prev] = (await db.query(`SELECT max(as_of) AS as_of FROM signal_history WHERE ticker = $1 AND rules_version = $2 AND model_version = $3 AND as_of < $4`, [
    key.ticker,
    key.rulesVersion,
    key.modelVersion,
    asOf.toISOString(),
  ])) as Array<{ as_of: Date | null }>;
  return prev?.as_of ? new Date(prev.as_of) : null;
}

/** Upserts one replayed decision on its series key; true when a row was written (new or different), false when unchanged. */
export async function upsertReplayedSignal(db: Queryable, key: SeriesKey, asOf: Date, s: TradingSignal, replayId: string): Promise<boolean> {
  const features = { ...s.features, lastBarTime: s.provenance.lastBarTime };
  const rows = (await db.query(
    `INSERT INTO signal_history AS h (ticker, as_of, rules_version, model_version, type, confidence, risk_level, suggested_position_size, features, model_versions, article_ids, replay_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::text[], $11::uuid[], $12)
     ON CONFLICT (ticker, rules_version, model_version, as_of) DO UPDATE SET
       type = EXCLUDED.type, confidence = EXCLUDED.confidence, risk_level = EXCLUDED.risk_level,
       suggested_position_size = EXCLUDED.suggested_position_size, features = EXCLUDED.features,
       model_versions = EXCLUDED.model_versions, article_ids = EXCLUDED.article_ids, replay_id = EXCLUDED.replay_id, computed_at = now()
     WHERE (h.type, h.confidence, h.risk_level, h.suggested_position_size, h.features, h.model_versions, h.article_ids)
       IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.confidence, EXCLUDED.risk_level, EXCLUDED.suggested_position_size, EXCLUDED.features, EXCLUDED.model_versions, EXCLUDED.article_ids)
     RETURNING id`,
    [key.ticker, asOf.toISOString(), key.rulesVersion, key.modelVersion, s.type, s.confidence, s.riskLevel, s.suggestedPositionSize, JSON.stringify(features), s.provenance.modelVersions, s.provenance.articleIds, replayId],
  )) as unknown[];
  return rows.length > 0;
}

/** Counts a finished chunk once, even when a retry re-reports it. */
export async function recordReplayChunk(db: DataSource, replayId: string, chunkKey: string, counts: { points: number; written: number; unchanged: number }): Promise<void> {
  await db.query(
    `UPDATE signal_replays SET done_chunks = array_append(done_chunks, $2), chunks_done = chunks_done + 1,
       points = points + $3, written = written + $4, unchanged = unchanged + $5
     WHERE id = $1 AND NOT ($2 = ANY(done_chunks))`,
    [replayId, chunkKey, counts.points, counts.written, counts.unchanged],
  );
}

/** Sets the replay's final status (completed_at once); undefined when the replay does not exist. */
export async function endSignalReplay(
  db: DataSource,
  replayId: string,
  status: string,
  error: string | null,
): Promise<{ status: string; rulesVersion: string; modelVersion: string; points: number; written: number; unchanged: number } | undefined> {
  const [rows] = (await db.query(
    `UPDATE signal_replays SET status = $2, error = $3, completed_at = coalesce(completed_at, now())
     WHERE id = $1 RETURNING status, rules_version, model_version, points, written, unchanged`,
    [replayId, status, error],
  )) as [Array<{ status: string; rules_version: string; model_version: string; points: number; written: number; unchanged: number }>, number];
  const r = rows[0];
  return r && { status: r.status, rulesVersion: r.rules_version, modelVersion: r.model_version, points: r.points, written: r.written, unchanged: r.unchanged };
}

/** Per ticker, the first and last publication time of the given articles published before `before`. */
export async function pastDatedArticleSpans(db: Queryable, articleIds: string[], before: Date): Promise<Array<{ ticker: string; first: Date; last: Date }>> {
  const rows = (await db.query(
    `SELECT at.ticker, min(at.published_at) AS first, max(at.published_at) AS last
     FROM article_tickers at WHERE at.article_id = ANY($1::uuid[]) AND at.published_at < $2
     GROUP BY at.ticker ORDER BY at.ticker`,
    [articleIds, before.toISOString()],
  )) as Array<{ ticker: string; first: Date; last: Date }>;
  return rows.map((r) => ({ ticker: r.ticker, first: new Date(r.first), last: new Date(r.last) }));
}

/** A PENDING replay, before its workflow starts. */
export async function insertPendingReplay(db: DataSource, r: { id: string; tickers: string[]; from: string; to: string; rulesVersion: string; modelVersion: string; intraday: boolean }): Promise<void> {
  await db.query(`INSERT INTO signal_replays (id, status, tickers, from_time, to_time, rules_version, model_version, intraday) VALUES ($1, 'PENDING', $2::text[], $3, $4, $5, $6, $7)`, [
    r.id,
    r.tickers,
    r.from,
    r.to,
    r.rulesVersion,
    r.modelVersion,
    r.intraday,
  ]);
}

/** A replay whose workflow could not start. */
export async function failReplayStart(db: DataSource, id: string, error: string): Promise<void> {
  await db.query(`UPDATE signal_replays SET status = 'FAILED', error = $2, completed_at = now() WHERE id = $1`, [id, error]);
}

/** The model version of the ticker's most recently written series under these rules, if any. */
export async function latestReplayedModelVersion(db: DataSource, ticker: string, rulesVersion: string): Promise<string | undefined> {
  const [latest] = (await db.query(`SELECT model_version FROM signal_history WHERE ticker = $1 AND rules_version = $2 ORDER BY computed_at DESC LIMIT 1`, [ticker, rulesVersion])) as Array<{
    model_version: string;
  }>;
  return latest?.model_version;
}

/** One series (ticker, rules, model), oldest first, optionally within [from, to]. */
export function replayedSeries(db: DataSource, key: SeriesKey, limit: number, from?: Date, to?: Date): Promise<HistoricalSignal[]> {
  const q = db
    .getRepository(HistoricalSignal)
    .createQueryBuilder('h')
    .where('h.ticker = :ticker AND h.rules_version = :rulesVersion AND h.model_version = :modelVersion', key)
    .orderBy('h.as_of', 'ASC')
    .limit(limit);
  if (from) q.andWhere('h.as_of >= :from', { from });
  if (to) q.andWhere('h.as_of <= :to', { to });
  return q.getMany();
}
