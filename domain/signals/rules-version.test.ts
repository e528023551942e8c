import { DEFAULT_SIGNAL_PARAMS } from './signal-rules';
import { replayDecisionTimes, signalRulesVersion } from './rules-version';

describe('signal rules version', () => {
  it('is stable for the same params, whatever the key order, and changes with any parameter', () => {
    const base = signalRulesVersion();
    expect(base).toMatch(/^r\d+-[0-9a-f]{8}$/);
    expect(signalRulesVersion({})).toBe(base);
    expect(signalRulesVersion({ buyThreshold: DEFAULT_SIGNAL_PARAMS.buyThreshold })).toBe(base);
    expect(signalRulesVersion({ sizing: { maxPositionSize: DEFAULT_SIGNAL_PARAMS.sizing.maxPositionSize, targetVolatility: DEFAULT_SIGNAL_PARAMS.sizing.targetVolatility } })).toBe(base);
    expect(signalRulesVersion({ buyThreshold: 0.2 })).not.toBe(base);
    expect(signalRulesVersion({ technical: { rsiPeriod: 15 } })).not.toBe(base);
    expect(signalRulesVersion({ technical: { rsiPeriod: 15 } })).not.toBe(signalRulesVersion({ technical: { rsiPeriod: 16 } }));
  });
});

describe('replay decision times', () => {
  const bars = [10, 20, 30, 40];
  const articles = [15, 20, 35, 50];
  it('daily: each bar close in [from, to]', () => {
    expect(replayDecisionTimes(bars, articles, 20, 40, false)).toEqual([20, 30, 40]);
  });
  it('intraday: bar closes and article arrivals, unique and sorted', () => {
    expect(replayDecisionTimes(bars, articles, 0, 45, true)).toEqual([10, 15, 20, 30, 35, 40]);
  });
});
