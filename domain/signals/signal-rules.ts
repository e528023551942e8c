/**
 * Sentiment (+ optional price) -> trading signal, as of a point in time. The rules are
 * documented with their thresholds in README.md; keep the two in step.
 */
import { asOfView } from './point-in-time';
import { firstSeen, windowFeatures } from './sentiment-features';
import { technicalFeatures } from './technical-features';
import type { RiskLevel, SignalBasis, SignalInput, SignalParams, SignalParamsOverrides, SignalType, TechnicalFeatures, TradingSignal } from './types';

const HOUR = 3_600_000;

export const DEFAULT_SIGNAL_PARAMS: SignalParams = {
  windows: [
    { name: '1h', ms: HOUR },
    { name: '1d', ms: 24 * HOUR },
  ],
  primaryWindow: '1d',
  momentumWindow: '1d',
  weights: { sentiment: 0.6, momentum: 0.15, technical: 0.25 },
  buyThreshold: 0.15,
  sellThreshold: -0.15,
  minArticles: 2,
  evidenceHalfCount: 3,
  fullStrengthAt: 0.5,
  minRelevance: 0.2,
  technical: {
    smaFast: 20,
    smaSlow: 50,
    emaFast: 12,
    emaSlow: 26,
    rsiPeriod: 14,
    macd: { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 },
    volatilityWindow: 20,
    hurstLookback: 256,
  },
  risk: { lowVolatility: 0.15, highVolatility: 0.35, highDispersion: 0.5 },
  sizing: { targetVolatility: 0.1, assumedVolatility: 0.3, maxPositionSize: 0.25 },
  // Bars alone weigh what one story would (n/(n+3) with n = 1), scaled by the share of the four
  // technical votes available; a single indicator is not enough; bars older than a week say nothing about now.
  priceOnly: { evidence: 0.25, minVotes: 3, maxBarAgeMs: 7 * 24 * HOUR },
};

/** Deep-enough merge for the params object: nested groups merge, arrays replace. */
export function resolveSignalParams(overrides: SignalParamsOverrides = {}): SignalParams {
  const d = DEFAULT_SIGNAL_PARAMS;
  const p: SignalParams = {
    ...d,
    ...overrides,
    weights: { ...d.weights, ...overrides.weights },
    technical: { ...d.technical, ...overrides.technical, macd: { ...d.technical.macd, ...overrides.technical?.macd } },
    risk: { ...d.risk, ...overrides.risk },
    sizing: { ...d.sizing, ...overrides.sizing },
    priceOnly: { ...d.priceOnly, ...overrides.priceOnly },
    windows: overrides.windows ?? d.windows,
  };
  for (const name of [p.primaryWindow, p.momentumWindow]) {
    if (!p.windows.some((w) => w.name === name)) throw new Error(`signal params name window '${name}' but windows are ${p.windows.map((w) => w.name).join(', ')}`);
  }
  if (!(p.sellThreshold < 0 && p.buyThreshold > 0)) throw new Error('buyThreshold must be > 0 and sellThreshold < 0');
  return p;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function riskLevel(technical: TechnicalFeatures | null, dispersion: number | null, params: SignalParams): RiskLevel {
  const levels: RiskLevel[] = ['LOW', 'MEDIUM', 'HIGH'];
  let level: number;
  const vol = technical?.volatility ?? null;
  if (vol !== null) level = vol < params.risk.lowVolatility ? 0 : vol < params.risk.highVolatility ? 1 : 2;
  else level = 1; // price risk unknown: never call it LOW
  // Stories that disagree with each other mean the news can still go either way.
  if (dispersion !== null && dispersion > params.risk.highDispersion) level = Math.min(2, level + 1);
  return levels[level];
}

/** How many of the four technical votes (SMA cross, EMA cross, MACD sign, RSI) the bars could cast. */
export function technicalVotes(technical: TechnicalFeatures | null): number {
  if (!technical) return 0;
  return [technical.smaCross, technical.emaCross, technical.macdHistogram, technical.rsi].filter((v) => v !== null).length;
}

const TECHNICAL_VOTES = 4;

export function computeSignal(input: SignalInput, overrides: SignalParamsOverrides = {}): TradingSignal {
  const params = resolveSignalParams(overrides);
  const view = asOfView(input.asOf, input.observations, input.bars ?? []);
  const primarySpec = params.windows.find((w) => w.name === params.primaryWindow)!;
  const previousSignalAt = (input.previousSignalAt ?? new Date(input.asOf.getTime() - primarySpec.ms)).getTime();
  const seen = firstSeen(view);
  const windows = Object.fromEntries(
    params.windows.map((spec) => [spec.name, windowFeatures(view, spec, previousSignalAt, params.minRelevance, seen)]),
  );
  const primary = windows[params.primaryWindow];
  const technical = technicalFeatures(view, params.technical);

  // No story in the primary window: the bars decide alone (README "No recent news"), if they are fresh.
  const basis: SignalBasis = primary.count > 0 ? 'NEWS' : 'PRICE_ONLY';
  const barsFresh = technical !== null && input.asOf.getTime() - new Date(technical.lastBarTime).getTime() <= params.priceOnly.maxBarAgeMs;
  const technicalScore = basis === 'PRICE_ONLY' && !barsFresh ? null : (technical?.score ?? null);

  const components: Array<[number | null, number]> = [
    [primary.weightedMean, params.weights.sentiment],
    [windows[params.momentumWindow].momentum === null ? null : clamp(windows[params.momentumWindow].momentum!, -1, 1), params.weights.momentum],
    [technicalScore, params.weights.technical],
  ];
  let weight = 0;
  let composite = 0;
  for (const [value, w] of components) {
    if (value === null) continue;
    composite += value * w;
    weight += w;
  }
  // Weights renormalise over the components that exist, so "no prices" does not dilute sentiment.
  composite = weight > 0 ? composite / weight : 0;

  const votes = technicalScore === null ? 0 : technicalVotes(technical);
  const evidence =
    basis === 'NEWS' ? primary.count / (primary.count + params.evidenceHalfCount) : params.priceOnly.evidence * (votes / TECHNICAL_VOTES);
  const consensus = 1 - Math.min(1, primary.dispersion ?? 0) / 2;
  const strength = Math.min(1, Math.abs(composite) / params.fullStrengthAt);
  const decisive = basis === 'NEWS' ? primary.count >= params.minArticles : votes >= params.priceOnly.minVotes;
  const confidence = clamp(strength * evidence * consensus, 0, 1);

  let type: SignalType = 'HOLD';
  if (decisive) {
    if (composite >= params.buyThreshold) type = 'BUY';
    else if (composite <= params.sellThreshold) type = 'SELL';
  }

  const vol = technical?.volatility ?? params.sizing.assumedVolatility;
  const suggestedPositionSize =
    type === 'HOLD' ? 0 : clamp((params.sizing.targetVolatility / Math.max(vol, 1e-6)) * confidence, 0, params.sizing.maxPositionSize);

  const used = new Set<string>();
  for (const w of Object.values(windows)) for (const id of w.articleIds) used.add(id);
  const usedObservations = view.observations.filter((o) => used.has(o.articleId));
  const featureWindows = Object.fromEntries(Object.entries(windows).map(([k, { articleIds: _ids, ...f }]) => [k, f]));
  return {
    ticker: input.ticker,
    asOf: input.asOf,
    type,
    confidence,
    riskLevel: riskLevel(technical, primary.dispersion, params),
    suggestedPositionSize,
    features: {
      basis,
      windows: featureWindows,
      sentimentComponent: components[0][0],
      momentumComponent: components[1][0],
      technicalComponent: components[2][0],
      composite,
      evidence,
      consensus,
      technical,
    },
    provenance: {
      articleIds: [...used].sort(),
      modelVersions: [...new Set(usedObservations.map((o) => o.modelVersion))].sort(),
      params,
      lastBarTime: technical?.lastBarTime ?? null,
    },
  };
}
