/**
 * Event studies over stored data: loads daily bars and events through the store, runs the pure
 * study (domain/research/event-study.ts). Events are scored articles (a sentiment bin, keyword and/or
 * emotion) or replayed signals turning to a type.
 */
import type { DataSource } from 'typeorm';
import { dayAfterBar, runEventStudy, simpleReturnsByDay, usMarketEventDay, type EventStudyResult, type StudyEvent } from '../domain/research';
import { EMOTION_LABELS } from '../domain/emotions/labels';
import { signalRulesVersion } from '../domain/signals';
import { articleEvents, dailyCloses, signalEvents, type EventRow } from '../store/event-study-store';
import { ServiceError } from './errors';
import { normaliseTicker } from './price-import.service';

export type SentimentBin = 'positive' | 'negative' | 'neutral';

export interface EventFilter {
  sentiment?: SentimentBin;
  minScore?: number;
  maxScore?: number;
  keyword?: string;
  /** One of EMOTION_LABELS: articles whose stored emotion label is this one. */
  emotion?: string;
  /** BUY or SELL: replayed signals of the current rules turning to that type. */
  signalType?: 'BUY' | 'SELL';
  /** Article events only: least relevance of the ticker to the article; default 0.2 (as the signal rules). */
  minRelevance?: number;
}

export interface EventStudyRequest {
  tickers: string[];
  from: Date;
  to: Date;
  eventFilter: EventFilter;
  window?: number[];
  benchmark?: string;
  bootstrapSamples?: number;
  seed?: number;
}

export interface EventStudyResponse extends EventStudyResult {
  tickers: string[];
  benchmark: string;
  eventSource: 'ARTICLES' | 'SIGNALS';
}

const MAX_TICKERS = 100;
const MAX_SPAN_MS = 30 * 366 * 86_400_000;
const MAX_EVENTS = 50_000;
const DAY_MS = 86_400_000;
const bad = (field: string, message: string) => new ServiceError('BAD_USER_INPUT', `${field}: ${message}`, { field });

function ticker(field: string, raw: string): string {
  try {
    return normaliseTicker(raw);
  } catch (err) {
    throw bad(field, (err as Error).message);
  }
}

export class EventStudyService {
  constructor(private readonly db: DataSource) {}

  async eventStudy(req: EventStudyRequest): Promise<EventStudyResponse> {
    if (!Array.isArray(req.tickers) || req.tickers.length === 0 || req.tickers.length > MAX_TICKERS) throw bad('tickers', `give 1 to ${MAX_TICKERS} tickers`);
    const tickers = [...new Set(req.tickers.map((t) => ticker('tickers', t)))].sort();
    const benchmark = ticker('benchmark', req.benchmark ?? 'SPY');
    if (tickers.includes(benchmark)) throw bad('benchmark', `${benchmark} is also a studied ticker: its abnormal return against itself is 0`);
    if (!(req.from instanceof Date) || !(req.to instanceof Date) || Number.isNaN(req.from.getTime()) || Number.isNaN(req.to.getTime()) || !(req.from < req.to)) throw bad('from', 'must be a date before to');
    if (req.to.getTime() - req.from.getTime() > MAX_SPAN_MS) throw bad('to', 'at most 30 years per study');
    const window = req.window ?? [-5, 10];
    if (window.length !== 2 || !window.every(Number.isInteger) || window[0] > 0 || window[1] < 0 || window[0] < -60 || window[1] > 120) throw bad('window', 'must be two integers [start, end] with -60 <= start <= 0 <= end <= 120');
    const bootstrapSamples = req.bootstrapSamples ?? 2000;
    if (!Number.isInteger(bootstrapSamples) || bootstrapSamples < 100 || bootstrapSamples > 20_000) throw bad('bootstrapSamples', 'must be an integer from 100 to 20000');
    const seed = req.seed ?? 1;
    if (!Number.isInteger(seed)) throw bad('seed', 'must be an integer');

    const f = req.eventFilter ?? {};
    const articleCriteria = f.sentiment !== undefined || f.minScore !== undefined || f.maxScore !== undefined || f.keyword !== undefined || f.emotion !== undefined;
    if (f.signalType !== undefined && articleCriteria) throw bad('eventFilter', 'a signal type cannot be combined with article criteria (sentiment, scores, keyword, emotion)');
    if (f.signalType === undefined && !articleCriteria) throw bad('eventFilter', 'give a sentiment bin, a score range, a keyword, an emotion or a signal type');
    if (f.signalType !== undefined && f.signalType !== 'BUY' && f.signalType !== 'SELL') throw bad('eventFilter.signalType', 'must be BUY or SELL');
    if (f.sentiment !== undefined && !['positive', 'negative', 'neutral'].includes(f.sentiment)) throw bad('eventFilter.sentiment', 'must be positive, negative or neutral');
    for (const k of ['minScore', 'maxScore'] as const) if (f[k] !== undefined && !(f[k]! >= -1 && f[k]! <= 1)) throw bad(`eventFilter.${k}`, 'must be in [-1, 1]');
    if (f.emotion !== undefined && !(EMOTION_LABELS as readonly string[]).includes(f.emotion)) throw bad('eventFilter.emotion', `must be one of ${EMOTION_LABELS.join(', ')}`);
    const keyword = f.keyword?.trim();
    if (f.keyword !== undefined && (!keyword || keyword.length > 100)) throw bad('eventFilter.keyword', 'must be 1 to 100 characters');
    const minRelevance = f.minRelevance ?? 0.2;
    if (!(minRelevance >= 0 && minRelevance <= 1)) throw bad('eventFilter.minRelevance', 'must be in [0, 1]');

    let rows: EventRow[];
    if (f.signalType !== undefined) rows = await signalEvents(this.db, tickers, req.from, req.to, f.signalType, signalRulesVersion());
    else rows = await articleEvents(this.db, { tickers, from: req.from, to: req.to, label: f.sentiment, minScore: f.minScore, maxScore: f.maxScore, keyword, emotion: f.emotion, minRelevance });
    if (rows.length > MAX_EVENTS) throw bad('eventFilter', `${rows.length} events match; narrow the filter or the period to at most ${MAX_EVENTS}`);
    // Articles move prices from their New York trading day; replayed daily signals from the day after their bar.
    const dayOf = f.signalType !== undefined ? dayAfterBar : usMarketEventDay;
    const events: StudyEvent[] = rows.map((r) => ({ ticker: r.ticker, day: dayOf(r.time), id: r.id }));

    // Enough bars before `from` for the estimation window (250 trading days ~ 365 calendar days) and after `to` for the event window.
    const closes = await dailyCloses(this.db, [...tickers, benchmark], new Date(req.from.getTime() - 400 * DAY_MS), new Date(req.to.getTime() + (window[1] * 2 + 10) * DAY_MS));
    const byTicker = new Map<string, Array<{ day: string; close: number }>>();
    for (const c of closes) {
      let list = byTicker.get(c.ticker);
      if (!list) byTicker.set(c.ticker, (list = []));
      list.push({ day: c.day, close: Number(c.close) });
    }
    const market = byTicker.get(benchmark);
    if (!market || market.length < 2) throw bad('benchmark', `no daily bars stored for ${benchmark} in the period; import them first`);
    const returns = new Map(tickers.filter((t) => byTicker.has(t)).map((t) => [t, simpleReturnsByDay(byTicker.get(t)!)]));
    const result = runEventStudy(returns, simpleReturnsByDay(market), events, { window: [window[0], window[1]], bootstrapSamples, seed });
    return { ...result, tickers, benchmark, eventSource: f.signalType !== undefined ? 'SIGNALS' : 'ARTICLES' };
  }
}
