import type { PriceBar } from '../prices';
import { classifyVsaBars, VSA_BIAS } from './vsa';

const day = (i: number) => new Date(Date.UTC(2025, 0, 1 + i));
/** 20 identical context bars: spread 2 (99..101), close 100, volume 1000. */
const context = (): PriceBar[] => Array.from({ length: 20 }, (_, i) => ({ time: day(i), open: 100, high: 101, low: 99, close: 100, volume: 1000 }));
const classify = (...last: Array<Omit<PriceBar, 'time'>>) => {
  const bars = [...context(), ...last.map((b, i) => ({ ...b, time: day(20 + i) }))];
  return classifyVsaBars(bars).map((b) => b.class);
};

describe('volume spread analysis', () => {
  it('classifies nothing without the lookback or without volume', () => {
    expect(classifyVsaBars(context())).toEqual([]);
    expect(classifyVsaBars([...context(), { time: day(20), open: 100, high: 101, low: 99, close: 100, volume: null }])).toEqual([]);
  });

  it('an ordinary bar is none, with ratios against the lookback average', () => {
    const [bar] = classifyVsaBars([...context(), { time: day(20), open: 100, high: 101.5, low: 99.5, close: 101, volume: 1500 }]);
    // spread 2 / avg 2 = 1; volume 1500 / 1000 = 1.5; close position (101 - 99.5) / 2 = 0.75
    expect(bar).toEqual({ time: day(20), class: 'none', bias: 0, spreadRatio: 1, volumeRatio: 1.5, closePosition: 0.75 });
  });

  it('buying climax: up, wide spread, ultra-high volume, closing off the high', () => {
    // spread 4 (2x avg), volume 2500 (2.5x), close at (102 - 99)/4 = 0.75 of the range -> off the high? no: 0.75 >= 0.7
    expect(classify({ open: 100, high: 103, low: 99, close: 102, volume: 2500 })).toEqual(['none']);
    // close 101.5: position 0.625 < 0.7
    expect(classify({ open: 100, high: 103, low: 99, close: 101.5, volume: 2500 })).toEqual(['buying-climax']);
  });

  it('selling climax: down, wide spread, ultra-high volume, closing off the low', () => {
    // spread 4, volume 3000, close 98.5: position (98.5 - 97) / 4 = 0.375 > 0.3
    expect(classify({ open: 100, high: 101, low: 97, close: 98.5, volume: 3000 })).toEqual(['selling-climax']);
    // closing on the low is plain selling, not a climax
    expect(classify({ open: 100, high: 101, low: 97, close: 97.2, volume: 3000 })).toEqual(['none']);
  });

  it('no-demand: an up bar on a narrow spread with volume below the two bars before', () => {
    // spread 1 (0.5x avg), volume 800 < 1000, 1000
    expect(classify({ open: 100, high: 100.8, low: 99.8, close: 100.5, volume: 800 })).toEqual(['no-demand']);
    // the same bar on rising volume is not no-demand
    expect(classify({ open: 100, high: 100.8, low: 99.8, close: 100.5, volume: 1200 })).toEqual(['none']);
  });

  it('no-supply: a down bar on a narrow spread with volume below the two bars before', () => {
    expect(classify({ open: 100, high: 100.2, low: 99.3, close: 99.5, volume: 700 })).toEqual(['no-supply']);
  });

  it('test: dips below the previous low on low volume and closes in the upper half', () => {
    // low 98.5 < 99, volume 600, close position (100.2 - 98.5) / 2 = 0.85
    expect(classify({ open: 99.5, high: 100.5, low: 98.5, close: 100.2, volume: 600 })).toEqual(['test']);
    // closing in the lower half on the same volume is a down bar, not a test (and not narrow: no-supply needs spread < 1.5)
    expect(classify({ open: 99.5, high: 100.5, low: 98.5, close: 98.8, volume: 600 })).toEqual(['none']);
  });

  it('compares each bar with the two before it, in sequence', () => {
    const classes = classify(
      { open: 100, high: 101, low: 99, close: 100, volume: 1000 },
      { open: 100, high: 100.8, low: 99.8, close: 100.5, volume: 900 }, // no-demand: 900 < 1000, 1000
      { open: 100.5, high: 100.9, low: 100.1, close: 100.7, volume: 950 }, // up, narrow, but 950 > 900: none
    );
    expect(classes).toEqual(['none', 'no-demand', 'none']);
    expect(VSA_BIAS['no-demand']).toBe(-1);
    expect(VSA_BIAS.test).toBe(1);
  });
});
