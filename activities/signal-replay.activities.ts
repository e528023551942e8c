import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { INTRADAY_SUFFIX, type ReplayChunk, type ReplayChunkResult, type ReplayPlan, type ReplaySignalsInput, type ReplaySummary, type ReplayTarget } from '../contracts';
import { replayDecisionTimes, resolveSignalParams, signalRulesVersion } from '../domain/signals';
import type { Queryable } from '../events/publish';
import { evaluateSignalAt, SIGNAL_BAR_INTERVAL, signalLookbackMs } from '../store/signal-input-store';
import { isTickerSymbol } from '../domain/tickers/symbol';

const DAY = 86_400_000;
const MAX_TARGETS = 500;
const inputError = (message: string) => ApplicationFailure.nonRetryable(message, 'SignalReplayInputError');

function parseTime(field: string, raw: string): number {
  const t = new Date(raw).getTime();
  if (!Number.isFinite(t)) throw inputError(`${field} '${raw}' is not a valid time`);
  return t;
}

/** Splits each target into consecutive [from, to] chunks of `chunkDays` (inclusive ends, no overlap). */
export function planChunks(targets: ReplayTarget[], chunkDays: number): ReplayChunk[] {
  const chunks: ReplayChunk[] = [];
  for (const t of targets) {
    const from = parseTime('from', t.from);
    const to = parseTime('to', t.to);
    for (let start = from; start <= to; start += chunkDays * DAY) {
      const end = Math.min(to, start + chunkDays * DAY - 1);
      const c = { ticker: t.ticker, from: new Date(start).toISOString(), to: new Date(end).toISOString() };
      chunks.push({ key: `${c.ticker}|${c.from}|${c.to}`, ...c });
    }
  }
  return chunks;
}

/** Decision times of one chunk: bar closes (and article arrivals when intraday) in [from, to]. */
async function decisionTimes(db: Queryable, chunk: ReplayChunk, intraday: boolean): Promise<number[]> {
  const bars = (await db.query(`SELECT time FROM price_bars WHERE ticker = $1 AND interval = $2 AND time >= $3 AND time <= $4`, [chunk.ticker, SIGNAL_BAR_INTERVAL, chunk.from, chunk.to])) as Array<{ time: Date }>;
  const articles = intraday
    ? ((await db.query(
        `SELECT DISTINCT at.published_at AS time FROM article_tickers at JOIN articles a ON a.id = at.article_id
         WHERE at.ticker = $1 AND at.published_at >= $2 AND at.published_at <= $3 AND a.published_at = at.published_at`,
        [chunk.ticker, chunk.from, chunk.to],
      )) as Array<{ time: Date }>)
    : [];
  return replayDecisionTimes(bars.map((b) => new Date(b.time).getTime()), articles.map((a) => new Date(a.time).getTime()), Date.parse(chunk.from), Date.parse(chunk.to), intraday);
}

export function signalReplayActivities(db: DataSource, log: Logger) {
  return {
    /** Validates, fixes the rules version, records the run (once; a retry finds it) and splits the work. */
    async planSignalReplay(replayId: string, input: ReplaySignalsInput & { modelVersion: string }): Promise<ReplayPlan> {
      const intraday = input.intraday === true;
      // The decision schedule is part of a series' identity: intraday decisions in between would
      // change the daily series' "previous signal" (novelty), so the two never share rows.
      const rulesVersion = signalRulesVersion() + (intraday ? INTRADAY_SUFFIX : '');
      if (input.rulesVersion !== undefined && input.rulesVersion !== rulesVersion) {
        throw inputError(`rules version ${input.rulesVersion} is not the running code's (${rulesVersion}); old rules cannot be replayed`);
      }
      if (!Array.isArray(input.targets) || input.targets.length === 0 || input.targets.length > MAX_TARGETS) throw inputError(`give 1 to ${MAX_TARGETS} replay targets`);
      const targets = input.targets.map((t) => ({ ...t, ticker: String(t.ticker ?? '').trim().toUpperCase() }));
      for (const t of targets) {
        if (!isTickerSymbol(t.ticker)) throw inputError(`ticker '${t.ticker}' is not valid`);
        if (parseTime('from', t.from) > parseTime('to', t.to)) throw inputError(`${t.ticker}: from ${t.from} is after to ${t.to}`);
      }
      const chunkDays = Math.max(1, Math.min(3660, Math.floor(input.chunkDays ?? 90)));
      const chunks = planChunks(targets, chunkDays);
      const from = new Date(Math.min(...targets.map((t) => Date.parse(t.from)))).toISOString();
      const to = new Date(Math.max(...targets.map((t) => Date.parse(t.to)))).toISOString();
      await db.query(
        `INSERT INTO signal_replays (id, status, tickers, from_time, to_time, rules_version, model_version, intraday, chunks_total, params)
         VALUES ($1, 'RUNNING', $2::text[], $3, $4, $5, $6, $7, $8, $9::jsonb)
         ON CONFLICT (id) DO UPDATE SET status = 'RUNNING', model_version = EXCLUDED.model_version, chunks_total = EXCLUDED.chunks_total, params = EXCLUDED.params
         WHERE signal_replays.status = 'PENDING'`,
        [replayId, [...new Set(targets.map((t) => t.ticker))].sort(), from, to, rulesVersion, input.modelVersion, intraday, chunks.length, JSON.stringify({ targets, chunkDays, signalParams: resolveSignalParams() })],
      );
      return { replayId, rulesVersion, modelVersion: input.modelVersion, intraday, chunks };
    },

    /**
     * Replays one chunk, decision time by decision time, through evaluateSignalAt (the live
     * path's own computation). Each row is upserted on its series key and only written when it
     * differs from what is stored, so a re-run over unchanged data writes nothing; the heartbeat
     * carries the last finished decision time, so a retry resumes after it.
     */
    async replaySignalChunk(plan: Omit<ReplayPlan, 'chunks'>, chunk: ReplayChunk): Promise<ReplayChunkResult> {
      const resume = activityInfo().heartbeatDetails as { after: number; points: number; written: number; unchanged: number } | undefined;
      const times = await decisionTimes(db, chunk, plan.intraday);
      const counts = { points: resume?.points ?? 0, written: resume?.written ?? 0, unchanged: resume?.unchanged ?? 0 };
      const signal = cancellationSignal();
      let last = Date.now();
      for (const t of times) {
        if (resume && t <= resume.after) continue;
        const asOf = new Date(t);
        const [prev] = (await db.query(
          `SELECT max(as_of) AS as_of FROM signal_history WHERE ticker = $1 AND rules_version = $2 AND model_version = $3 AND as_of < $4`,
          [chunk.ticker, plan.rulesVersion, plan.modelVersion, asOf.toISOString()],
        )) as Array<{ as_of: Date | null }>;
        const s = await evaluateSignalAt(db, chunk.ticker, asOf, { preferModelVersion: plan.modelVersion, previousSignalAt: prev?.as_of ? new Date(prev.as_of) : null });
        counts.points++;
        if (s) {
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
            [chunk.ticker, asOf.toISOString(), plan.rulesVersion, plan.modelVersion, s.type, s.confidence, s.riskLevel, s.suggestedPositionSize, JSON.stringify(features), s.provenance.modelVersions, s.provenance.articleIds, plan.replayId],
          )) as unknown[];
          if (rows.length > 0) counts.written++;
          else counts.unchanged++;
        }
        if (Date.now() - last > 1000) {
          last = Date.now();
          heartbeat({ after: t, ...counts });
          if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('signal replay cancelled');
        }
      }
      // Progress counted once per chunk, even when a retry re-reports it.
      await db.query(
        `UPDATE signal_replays SET done_chunks = array_append(done_chunks, $2), chunks_done = chunks_done + 1,
           points = points + $3, written = written + $4, unchanged = unchanged + $5
         WHERE id = $1 AND NOT ($2 = ANY(done_chunks))`,
        [plan.replayId, chunk.key, counts.points, counts.written, counts.unchanged],
      );
      log.debug({ replayId: plan.replayId, chunk: chunk.key, ...counts }, 'signal replay chunk done');
      return { key: chunk.key, ...counts };
    },

    async finishSignalReplay(replayId: string, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: string | null): Promise<ReplaySummary> {
      const [row] = (await db.query(
        `UPDATE signal_replays SET status = $2, error = $3, completed_at = coalesce(completed_at, now())
         WHERE id = $1 RETURNING status, rules_version, model_version, points, written, unchanged`,
        [replayId, status, error?.slice(0, 2000) ?? null],
      )) as [Array<{ status: string; rules_version: string; model_version: string; points: number; written: number; unchanged: number }>, number];
      const r = row[0];
      if (!r) throw ApplicationFailure.nonRetryable(`signal replay ${replayId} does not exist`, 'SignalReplayInputError');
      return { replayId, status: r.status, rulesVersion: r.rules_version, modelVersion: r.model_version, points: r.points, written: r.written, unchanged: r.unchanged };
    },

    /**
     * Which tickers and times newly stored articles can change in replayed history: articles
     * published before the live lookback window (older than `pastMs` before now) move the
     * decisions in [publishedAt, publishedAt + lookback], per ticker.
     */
    async findPastDatedReplayTargets(input: { articleIds: string[]; pastMs?: number }): Promise<ReplayTarget[]> {
      if (input.articleIds.length === 0) return [];
      const lookbackMs = signalLookbackMs(resolveSignalParams());
      const pastMs = input.pastMs ?? lookbackMs;
      const rows = (await db.query(
        `SELECT at.ticker, min(at.published_at) AS first, max(at.published_at) AS last
         FROM article_tickers at WHERE at.article_id = ANY($1::uuid[]) AND at.published_at < $2
         GROUP BY at.ticker ORDER BY at.ticker`,
        [input.articleIds, new Date(Date.now() - pastMs).toISOString()],
      )) as Array<{ ticker: string; first: Date; last: Date }>;
      const now = Date.now();
      return rows.slice(0, MAX_TARGETS).map((r) => ({
        ticker: r.ticker,
        from: new Date(r.first).toISOString(),
        to: new Date(Math.min(now, new Date(r.last).getTime() + lookbackMs)).toISOString(),
      }));
    },
  };
}
