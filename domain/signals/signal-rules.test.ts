import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';
import { parsePriceCsv, PriceBar } from '../prices';
import { asOfView } from './point-in-time';
import { windowFeatures } from './sentiment-features';
import { computeSignal, DEFAULT_SIGNAL_PARAMS, resolveSignalParams } from './signal-rules';
import { SentimentObservation } from './types';

const T = new Date('2024-03-01T15:00:00Z');
const MIN = 60_000;
const at = (minutesFromT: number): Date => new Date(T.getTime() + minutesFromT * MIN);
const obs = (articleId: string, minutes: number, score: number, relevance: number, extra: Partial<SentimentObservation> = {}): SentimentObservation => ({
  articleId,
  publishedAt: at(minutes),
  score,
  label: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral',
  relevance,
  modelVersion: 'finbert-v1',
  ...extra,
});

const observations: SentimentObservation[] = [
  obs('a1', -30, 0.8, 1.0, { storyKey: 'k1' }),
  obs('a2', -20, 0.4, 0.5),
  obs('a3', -300, -0.2, 1.0, { modelVersion: 'finbert-v2' }),
  obs('a4', -10, 0.6, 0.8, { storyKey: 'k1' }), // syndicated copy of a1
  obs('a5', -25 * 60, -0.5, 1.0), // previous day
  obs('a6', -90, 0.0, 1.0), // previous hour
  obs('low', -15, -1, 0.1), // below minRelevance 0.2
];

describe('sentiment window features (hand-computed)', () => {
  const view = asOfView(T, observations);
  // Story k1 = relevance-weighted mean of its copies: (0.8*1 + 0.6*0.8)/1.8 = 0.71111, relevance 1.
  const k1 = (0.8 + 0.6 * 0.8) / 1.8;

  it('1h window: two stories from three articles, weighted mean, dispersion, momentum, novelty', () => {
    const f = windowFeatures(view, { name: '1h', ms: 60 * MIN }, at(-25).getTime(), 0.2);
    const mean = (1 * k1 + 0.5 * 0.4) / 1.5; // 0.607407
    expect(f.count).toBe(2);
    expect(f.articles).toBe(3);
    expect(f.weightedMean).toBeCloseTo(mean, 12);
    expect(f.dispersion).toBeCloseTo(Math.sqrt((1 * (k1 - mean) ** 2 + 0.5 * (0.4 - mean) ** 2) / 1.5), 12);
    expect(f.momentum).toBeCloseTo(mean - 0, 12); // previous hour: a6 alone, score 0
    // k1 was first seen at -30, before the previous signal at -25: old news; a2 is new.
    expect(f.novelty).toBeCloseTo(0.5, 12);
  });

  it('1d window and the previous day', () => {
    const f = windowFeatures(view, { name: '1d', ms: 24 * 60 * MIN }, at(-60 * 24).getTime(), 0.2);
    const mean = (k1 + 0.5 * 0.4 - 0.2 + 0) / 3.5;
    expect(f.count).toBe(4);
    expect(f.weightedMean).toBeCloseTo(mean, 12);
    expect(f.momentum).toBeCloseTo(mean - -0.5, 12);
    expect(f.novelty).toBe(1);
  });

  it('empty windows give nulls, not NaN', () => {
    const f = windowFeatures(asOfView(T, []), { name: '1h', ms: 60 * MIN }, 0, 0.2);
    expect(f).toMatchObject({ count: 0, weightedMean: null, dispersion: null, momentum: null, novelty: null });
  });
});

describe('computeSignal', () => {
  it('buys on positive, agreeing, relevant news; explains itself in features and provenance', () => {
    const s = computeSignal({ ticker: 'ACME', asOf: T, observations });
    expect(s.type).toBe('BUY');
    expect(s.features.technical).toBeNull();
    expect(s.features.technicalComponent).toBeNull();
    // No prices: composite = (0.6*mean1d + 0.15*momentum1d) / 0.75
    const mean1d = ((0.8 + 0.6 * 0.8) / 1.8 + 0.2 - 0.2) / 3.5;
    expect(s.features.composite).toBeCloseTo((0.6 * mean1d + 0.15 * (mean1d + 0.5)) / 0.75, 12);
    expect(s.features.evidence).toBeCloseTo(4 / 7, 12);
    expect(s.confidence).toBeGreaterThan(0);
    expect(s.confidence).toBeLessThanOrEqual(1);
    expect(s.riskLevel).toBe('MEDIUM'); // unknown price risk is never LOW
    // size = targetVol / assumedVol * confidence, capped at 0.25
    expect(s.suggestedPositionSize).toBeCloseTo(Math.min(0.25, (0.1 / 0.3) * s.confidence), 12);
    expect(s.provenance.articleIds).toEqual(['a1', 'a2', 'a3', 'a4', 'a6']);
    expect(s.provenance.modelVersions).toEqual(['finbert-v1', 'finbert-v2']);
    expect(s.provenance.params).toEqual(DEFAULT_SIGNAL_PARAMS);
  });

  it('sells on negative news and holds on too little or too mixed news', () => {
    const negative = [obs('n1', -60, -0.7, 1), obs('n2', -120, -0.5, 0.9), obs('n3', -180, -0.6, 1)];
    const sell = computeSignal({ ticker: 'ACME', asOf: T, observations: negative });
    expect(sell.type).toBe('SELL');
    expect(sell.suggestedPositionSize).toBeGreaterThan(0);

    const single = computeSignal({ ticker: 'ACME', asOf: T, observations: [obs('x', -60, 0.9, 1)] });
    expect(single.type).toBe('HOLD'); // one story < minArticles
    expect(single.suggestedPositionSize).toBe(0);

    const mixed = computeSignal({ ticker: 'ACME', asOf: T, observations: [obs('p', -60, 0.9, 1), obs('q', -70, -0.9, 1)] });
    expect(mixed.type).toBe('HOLD');
    expect(mixed.features.windows['1d'].dispersion).toBeCloseTo(0.9, 12);
    expect(mixed.confidence).toBeLessThan(0.05);
  });

  it('is point-in-time: a future article or bar changes nothing', () => {
    const bars = syntheticBars(120, 0.005, at(-120 * 24 * 60));
    const base = computeSignal({ ticker: 'ACME', asOf: T, observations, bars });
    const future = computeSignal({
      ticker: 'ACME',
      asOf: T,
      observations: [...observations, obs('future', 1, -1, 1), obs('future2', 60 * 24, -1, 1, { storyKey: 'k1' })],
      bars: [...bars, { time: at(1), open: 1, high: 1, low: 1, close: 1, volume: 0 }],
    });
    expect(future).toEqual(base);
  });

  it('risk follows realised volatility, bumped by dispersed news; size is volatility-targeted and capped', () => {
    const calm = computeSignal({ ticker: 'A', asOf: T, observations, bars: syntheticBars(300, 0.004, at(-300 * 24 * 60)) });
    const wild = computeSignal({ ticker: 'A', asOf: T, observations, bars: syntheticBars(300, 0.04, at(-300 * 24 * 60)) });
    expect(calm.features.technical!.volatility!).toBeLessThan(0.15);
    expect(calm.riskLevel).toBe('LOW');
    expect(wild.features.technical!.volatility!).toBeGreaterThan(0.35);
    expect(wild.riskLevel).toBe('HIGH');
    for (const s of [calm, wild]) {
      expect(s.suggestedPositionSize).toBeLessThanOrEqual(0.25);
      if (s.type !== 'HOLD') {
        expect(s.suggestedPositionSize).toBeCloseTo(Math.min(0.25, (0.1 / s.features.technical!.volatility!) * s.confidence), 12);
      }
    }
    const mixed = [obs('p', -60, 0.9, 1), obs('q', -70, -0.9, 1), obs('r', -80, 0.9, 1)];
    expect(computeSignal({ ticker: 'A', asOf: T, observations: mixed, bars: syntheticBars(300, 0.004, at(-300 * 24 * 60)) }).riskLevel).toBe('MEDIUM');
  });

  it('uses real SPY bars up to asOf only, with every technical feature defined', () => {
    const bars = parsePriceCsv(fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8')).bars;
    const asOf = new Date('2020-03-20T21:00:00Z');
    const news = [obs('c1', 0, -0.8, 1), obs('c2', 0, -0.6, 1), obs('c3', 0, -0.7, 1)].map((o) => ({ ...o, publishedAt: new Date('2020-03-20T14:00:00Z') }));
    const s = computeSignal({ ticker: 'SPY', asOf, observations: news, bars });
    const t = s.features.technical!;
    expect(t.lastBarTime).toBe('2020-03-20T00:00:00.000Z');
    expect(t.barsUsed).toBe(bars.filter((b) => b.time <= asOf).length);
    expect(t.smaCross).toBe(-1); // March 2020 crash: fast average under slow
    expect(t.volatility!).toBeGreaterThan(0.6);
    expect([t.rsi, t.macdHistogram, t.hurst, t.emaCross].every((v) => v !== null && Number.isFinite(v))).toBe(true);
    expect(s.type).toBe('SELL');
    expect(s.riskLevel).toBe('HIGH');
    expect(s.provenance.lastBarTime).toBe(t.lastBarTime);
  });

  it('copes with too little price history: indicators that need more bars are null', () => {
    const s = computeSignal({ ticker: 'A', asOf: T, observations, bars: syntheticBars(3, 0.01, at(-3 * 24 * 60)) });
    const t = s.features.technical!;
    expect(t.barsUsed).toBe(3);
    expect([t.smaFast, t.smaCross, t.emaCross, t.rsi, t.macdHistogram, t.volatility, t.hurst, t.score]).toEqual([null, null, null, null, null, null, null, null]);
    expect(s.features.technicalComponent).toBeNull();
    expect(s.riskLevel).toBe('MEDIUM');
  });

  it('validates params and merges nested overrides', () => {
    expect(() => resolveSignalParams({ primaryWindow: '4h' })).toThrow(/window '4h'/);
    expect(() => resolveSignalParams({ buyThreshold: -0.1 })).toThrow(/buyThreshold/);
    const p = resolveSignalParams({ sizing: { maxPositionSize: 0.1 }, technical: { macd: { signalPeriod: 5 } } });
    expect(p.sizing).toEqual({ ...DEFAULT_SIGNAL_PARAMS.sizing, maxPositionSize: 0.1 });
    expect(p.technical.macd).toEqual({ fastPeriod: 12, slowPeriod: 26, signalPeriod: 5 });
  });
});

describe('no recent news: the bars decide alone (hand-computed)', () => {
  const DAY = 86_400_000;
  /** n daily bars, the last one the day before T, closes 101, 102, ... (+1 a day, never down). */
  const rising = (n: number, lastAt = new Date(T.getTime() - DAY)): PriceBar[] =>
    Array.from({ length: n }, (_, i) => {
      const close = 101 + i;
      return { time: new Date(lastAt.getTime() - (n - 1 - i) * DAY), open: close - 1, high: close, low: close - 1, close, volume: 1000 };
    });

  it('60 rising bars, no news: BUY at confidence 0.125, provenance says no news', () => {
    // Votes: SMA20 > SMA50 (+1), EMA12 > EMA26 (+1); on a straight line both EMAs lag by a constant,
    // so the MACD line is flat and equals its signal: histogram 0 (a 0 vote); RSI = 100 (no down
    // day) >= 70 (-1). T = (1 + 1 + 0 - 1) / 4 = 0.25 >= 0.15: BUY.
    // strength = min(1, 0.25 / 0.5) = 0.5; evidence = 0.25 * 4/4 = 0.25; consensus = 1 (no stories).
    const s = computeSignal({ ticker: 'A', asOf: T, observations: [], bars: rising(60) });
    const t = s.features.technical!;
    expect([t.smaCross, t.emaCross, Math.sign(t.macdHistogram!), t.rsi]).toEqual([1, 1, 0, 100]);
    expect(s.features.basis).toBe('PRICE_ONLY');
    expect(s.features.technicalComponent).toBe(0.25);
    expect(s.features.sentimentComponent).toBeNull();
    expect(s.features.momentumComponent).toBeNull();
    expect(s.features.composite).toBe(0.25);
    expect(s.features.evidence).toBe(0.25);
    expect(s.type).toBe('BUY');
    expect(s.confidence).toBe(0.125);
    expect(s.features.windows['1d']).toMatchObject({ count: 0, articles: 0, weightedMean: null });
    expect(s.provenance).toMatchObject({ articleIds: [], modelVersions: [], lastBarTime: t.lastBarTime });
    // Size: volatility-targeted as usual.
    expect(s.suggestedPositionSize).toBeCloseTo(Math.min(0.25, (0.1 / t.volatility!) * 0.125), 12);
  });

  it('40 bars: three votes (no SMA50), less evidence; 30 bars: two votes, HOLD however they point', () => {
    // EMA +1, MACD 0, RSI -1: T = 0: HOLD; evidence = 0.25 * 3/4 = 0.1875.
    const three = computeSignal({ ticker: 'A', asOf: T, observations: [], bars: rising(40) });
    expect(three.features.technical!.smaCross).toBeNull();
    expect(three.type).toBe('HOLD');
    expect(three.features.evidence).toBeCloseTo(0.1875, 12);
    expect(three.confidence).toBe(0);
    // MACD needs 26 + 9 - 1 bars: two votes (EMA +1, RSI -1) < minVotes 3: HOLD, size 0, whatever T is.
    const two = computeSignal({ ticker: 'A', asOf: T, observations: [], bars: rising(30) });
    expect(two.features.technical!.macdHistogram).toBeNull();
    expect(two.type).toBe('HOLD');
    expect(two.suggestedPositionSize).toBe(0);
  });

  it('bars older than a week say nothing: HOLD at confidence 0; a falling market sells', () => {
    const stale = computeSignal({ ticker: 'A', asOf: T, observations: [], bars: rising(60, new Date(T.getTime() - 8 * DAY)) });
    expect(stale).toMatchObject({ type: 'HOLD', confidence: 0, features: { basis: 'PRICE_ONLY', technicalComponent: null, composite: 0 } });
    const weekOld = computeSignal({ ticker: 'A', asOf: T, observations: [], bars: rising(60, new Date(T.getTime() - 7 * DAY)) });
    expect(weekOld.type).toBe('BUY');
    const falling = rising(60).map((b, i, all) => ({ ...b, close: all[all.length - 1 - i].close }));
    // SMA -1, EMA -1, MACD 0 (a straight line again), RSI = 0 (+1): T = -0.25: SELL at 0.5 * 0.25.
    const sell = computeSignal({ ticker: 'A', asOf: T, observations: [], bars: falling });
    expect(sell).toMatchObject({ type: 'SELL', confidence: 0.125, features: { technicalComponent: -0.25 } });
  });

  it('one story in the primary window is news: the news rules apply unchanged (HOLD, n/(n+3))', () => {
    const s = computeSignal({ ticker: 'A', asOf: T, observations: [obs('x', -60, 0.9, 1)], bars: rising(60) });
    expect(s.features.basis).toBe('NEWS');
    expect(s.type).toBe('HOLD'); // one story < minArticles, as before
    expect(s.features.evidence).toBe(0.25);
    // composite = (0.6 * 0.9 + 0.25 * 0.25) / 0.85 (no momentum: the previous day is empty)
    expect(s.features.composite).toBeCloseTo((0.6 * 0.9 + 0.25 * 0.25) / 0.85, 12);
  });
});

/** Daily bars ending the day before T with alternating +/- moves of size `move` (a known volatility). */
function syntheticBars(n: number, move: number, start: Date): PriceBar[] {
  const bars: PriceBar[] = [];
  let close = 100;
  for (let i = 0; i < n; i++) {
    const open = close;
    close = close * (1 + (i % 2 === 0 ? move : -move * 0.98));
    bars.push({ time: new Date(start.getTime() + i * 86_400_000), open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1000 });
  }
  return bars;
}
