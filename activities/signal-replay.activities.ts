import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { INTRADAY_SUFFIX, type ReplayChunk, type ReplayChunkResult, type ReplayPlan, type ReplaySignalsInput, type ReplaySummary, type ReplayTarget } from '../contracts';
import { replayDecisionTimes, resolveSignalParams, signalRulesVersion } from '../domain/signals';
import type { Queryable } from '../events/publish';
import { evaluateSignalAt, signalLookbackMs } from '../store/signal-input-store';
import { endSignalReplay, pastDatedArticleSpans, previousReplayedSignalAt, recordReplayChunk, replayChunkTimes, startSignalReplay, upsertReplayedSignal } from '../store/signal-replay-store';
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
  const { bars, articles } = await replayChunkTimes(db, chunk, intraday);
  return replayDecisionTimes(bars, articles, Date.parse(chunk.from), Date.parse(chunk.to), intraday);
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
      await startSignalReplay(db, {
        id: replayId,
        tickers: [...new Set(targets.map((t) => t.ticker))].sort(),
        from,
        to,
        rulesVersion,
        modelVersion: input.modelVersion,
        intraday,
        chunksTotal: chunks.length,
        params: { targets, chunkDays, signalParams: resolveSignalParams() },
      });
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
        const series = { ticker: chunk.ticker, rulesVersion: plan.rulesVersion, modelVersion: plan.modelVersion };
        const previousSignalAt = await previousReplayedSignalAt(db, series, asOf);
        const s = await evaluateSignalAt(db, chunk.ticker, asOf, { preferModelVersion: plan.modelVersion, previousSignalAt });
        counts.points++;
        if (s) {
          const written = await upsertReplayedSignal(db, series, asOf, s, plan.replayId);
          if (written) counts.written++;
          else counts.unchanged++;
        }
        if (Date.now() - last > 1000) {
          last = Date.now();
          heartbeat({ after: t, ...counts });
          if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('signal replay cancelled');
        }
      }
      await recordReplayChunk(db, plan.replayId, chunk.key, counts);
      log.debug({ replayId: plan.replayId, chunk: chunk.key, ...counts }, 'signal replay chunk done');
      return { key: chunk.key, ...counts };
    },

    async finishSignalReplay(replayId: string, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: string | null): Promise<ReplaySummary> {
      const r = await endSignalReplay(db, replayId, status, error?.slice(0, 2000) ?? null);
      if (!r) throw ApplicationFailure.nonRetryable(`signal replay ${replayId} does not exist`, 'SignalReplayInputError');
      return { replayId, ...r };
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
      const rows = await pastDatedArticleSpans(db, input.articleIds, new Date(Date.now() - pastMs));
      const now = Date.now();
      return rows.slice(0, MAX_TARGETS).map((r) => ({
        ticker: r.ticker,
        from: r.first.toISOString(),
        to: new Date(Math.min(now, r.last.getTime() + lookbackMs)).toISOString(),
      }));
    },
  };
}
