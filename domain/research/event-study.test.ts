import { SeededRandom } from '../backtest/seeded-random';
import { dayAfterBar, runEventStudy, simpleReturnsByDay, usMarketEventDay, type StudyEvent } from './event-study';

/** n weekdays from 2001-01-01 as 'YYYY-MM-DD'. */
function tradingDays(n: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(2001, 0, 1); out.length < n; t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

interface Synthetic {
  days: string[];
  market: Map<string, number>;
  returns: Map<string, Map<string, number>>;
  events: StudyEvent[];
}

/**
 * Market ~ N(0.0003, 1%); stock = 0.0002 + beta * market + N(0, 1.5%); `effect[k]` added on day k of
 * each event (k relative to the event). Events every `spacing` trading days from day 300 on.
 */
function synthetic(seed: number, tickers: number, eventsPerTicker: number, effect: Record<number, number> = {}, spacing = 40): Synthetic {
  const rng = new SeededRandom(seed);
  const n = 300 + eventsPerTicker * spacing + 20;
  const days = tradingDays(n);
  const m = days.map(() => 0.0003 + 0.01 * rng.gaussian());
  const market = new Map(days.map((d, i) => [d, m[i]]));
  const returns = new Map<string, Map<string, number>>();
  const events: StudyEvent[] = [];
  for (let k = 0; k < tickers; k++) {
    const ticker = `T${k}`;
    const beta = 0.8 + 0.2 * k;
    const r = days.map((_, i) => 0.0002 + beta * m[i] + 0.015 * rng.gaussian());
    for (let e = 0; e < eventsPerTicker; e++) {
      const t0 = 300 + e * spacing;
      for (const [off, size] of Object.entries(effect)) r[t0 + Number(off)] += size;
      events.push({ ticker, day: days[t0], id: `${ticker}-${e}` });
    }
    returns.set(ticker, new Map(days.map((d, i) => [d, r[i]])));
  }
  return { days, market, returns, events };
}

describe('runEventStudy', () => {
  it('recovers a planted effect: +3% on day 0 and +0.5% on days 1-3, beta from the market model', () => {
    const s = synthetic(7, 5, 12, { 0: 0.03, 1: 0.005, 2: 0.005, 3: 0.005 });
    const r = runEventStudy(s.returns, s.market, s.events, { seed: 3 });
    expect(r.eventsIn).toBe(60);
    expect(r.eventsUsed).toBe(60);
    expect(r.droppedOverlapping).toBe(0);
    const day0 = r.days.find((d) => d.day === 0)!;
    expect(day0.events).toBe(60);
    expect(day0.aar).toBeGreaterThan(0.025);
    expect(day0.aar).toBeLessThan(0.035);
    expect(day0.aarLow).toBeGreaterThan(0.02);
    expect(day0.aarLow).toBeLessThan(0.03);
    expect(day0.aarHigh).toBeGreaterThan(0.03);
    expect(day0.aarT!).toBeGreaterThan(8);
    const last = r.days[r.days.length - 1];
    expect(last.day).toBe(10);
    // The planted CAR is 4.5%; the interval covers it and excludes 0.
    expect(last.carLow).toBeLessThan(0.045);
    expect(last.carHigh).toBeGreaterThan(0.045);
    expect(last.carLow).toBeGreaterThan(0);
    // Before the event nothing was planted.
    const pre = r.days.find((d) => d.day === -1)!;
    expect(pre.carLow).toBeLessThan(0);
    expect(pre.carHigh).toBeGreaterThan(0);
    // Betas 0.8, 1.0, ... recovered by the market model.
    const t2 = r.studied.filter((e) => e.ticker === 'T2');
    const meanBeta = t2.reduce((a, e) => a + e.beta, 0) / t2.length;
    expect(meanBeta).toBeGreaterThan(1.0);
    expect(meanBeta).toBeLessThan(1.4);
  });

  it('with no effect the intervals cover 0', () => {
    const s = synthetic(11, 5, 12);
    const r = runEventStudy(s.returns, s.market, s.events, { seed: 5 });
    expect(r.eventsUsed).toBe(60);
    const covering = r.days.filter((d) => d.carLow <= 0 && d.carHigh >= 0 && d.aarLow <= 0 && d.aarHigh >= 0);
    expect(covering.length).toBe(r.days.length);
    for (const d of r.days) expect(Math.abs(d.carT!)).toBeLessThan(2.6);
  });

  it('the final-CAR interval covers 0 in about 95% of null studies (calibration)', () => {
    let covered = 0;
    const runs = 200;
    for (let k = 0; k < runs; k++) {
      // One event per ticker: independent estimation windows (see the module's note on shared ones).
      const s = synthetic(1000 + k, 30, 1);
      const r = runEventStudy(s.returns, s.market, s.events, { seed: k + 1, bootstrapSamples: 200 });
      const last = r.days[r.days.length - 1];
      if (last.carLow <= 0 && last.carHigh >= 0) covered++;
    }
    // A percentile bootstrap with n = 30 is a little anti-conservative (about 93%); 200 runs give +-3% noise.
    expect(covered / runs).toBeGreaterThan(0.88);
    expect(covered / runs).toBeLessThan(0.99);
  });

  it('merges same-day events, drops overlapping ones and says so', () => {
    const s = synthetic(3, 1, 4, {}, 40);
    const base = s.events[1];
    const t = s.days.indexOf(base.day);
    const extra: StudyEvent[] = [
      { ticker: 'T0', day: base.day, id: 'same-day' },
      { ticker: 'T0', day: s.days[t + 3], id: 'three-days-later' },
      // A Saturday-ish calendar day before a trading day anchors to the next trading day.
    ];
    const r = runEventStudy(s.returns, s.market, [...s.events, ...extra], { seed: 1 });
    expect(r.eventsIn).toBe(6);
    expect(r.mergedSameDay).toBe(1);
    expect(r.droppedOverlapping).toBe(1);
    expect(r.eventsUsed).toBe(4);
    expect(r.studied.find((e) => e.day === base.day)!.ids.sort()).toEqual(['T0-1', 'same-day']);
    expect(r.overlapNote).toContain('1 event(s) whose [-5, 10] window overlapped');
  });

  it('keeps other events out of the estimation window and skips events without enough clean history', () => {
    const s = synthetic(5, 1, 3, {}, 40);
    const r = runEventStudy(s.returns, s.market, s.events, { seed: 1 });
    // Event 0 at day 300: estimation [50, 289] = 240 days; event 1 at 340: [90, 329] minus event 0's window [295, 310] = 224.
    expect(r.studied.map((e) => e.estimationDays)).toEqual([240, 224, 208]);
    const early: StudyEvent = { ticker: 'T0', day: s.days[100] };
    const r2 = runEventStudy(s.returns, s.market, [early], { seed: 1 });
    expect(r2.eventsUsed).toBe(0);
    expect(r2.skipped.SHORT_ESTIMATION).toBe(1);
    const unknown = runEventStudy(s.returns, s.market, [{ ticker: 'NOPE', day: s.days[400] }]);
    expect(unknown.skipped.NO_PRICES).toBe(1);
    expect(Number.isNaN(unknown.days[0].car)).toBe(true);
  });

  it('is reproducible from its seed', () => {
    const s = synthetic(9, 2, 5, { 0: 0.01 });
    const a = runEventStudy(s.returns, s.market, s.events, { seed: 42, bootstrapSamples: 500 });
    const b = runEventStudy(s.returns, s.market, s.events, { seed: 42, bootstrapSamples: 500 });
    expect(b.days).toEqual(a.days);
  });

  it('rejects malformed windows', () => {
    const s = synthetic(1, 1, 1);
    expect(() => runEventStudy(s.returns, s.market, s.events, { window: [2, 10] })).toThrow(/window/);
    expect(() => runEventStudy(s.returns, s.market, s.events, { estimation: [-250, -3] })).toThrow(/estimation/);
  });
});

describe('simpleReturnsByDay', () => {
  it('orders by day and skips the first day', () => {
    const r = simpleReturnsByDay([
      { day: '2020-01-03', close: 110 },
      { day: '2020-01-02', close: 100 },
      { day: '2020-01-06', close: 99 },
    ]);
    expect([...r.keys()]).toEqual(['2020-01-03', '2020-01-06']);
    expect(r.get('2020-01-03')).toBeCloseTo(0.1, 12);
    expect(r.get('2020-01-06')).toBeCloseTo(-0.1, 12);
  });
});

describe('usMarketEventDay', () => {
  it('keeps news before the New York close on its day and moves later news to the next day', () => {
    expect(usMarketEventDay(new Date('2020-03-02T14:00:00Z'))).toBe('2020-03-02'); // 09:00 EST
    expect(usMarketEventDay(new Date('2020-03-02T20:59:00Z'))).toBe('2020-03-02'); // 15:59 EST
    expect(usMarketEventDay(new Date('2020-03-02T21:00:00Z'))).toBe('2020-03-03'); // 16:00 EST
    expect(usMarketEventDay(new Date('2020-07-01T20:30:00Z'))).toBe('2020-07-02'); // 16:30 EDT
    expect(usMarketEventDay(new Date('2020-12-31T23:00:00Z'))).toBe('2021-01-01');
    expect(usMarketEventDay(new Date('2021-01-01T03:00:00Z'))).toBe('2021-01-01'); // 22:00 EST Dec 31 -> next day
  });
});

describe('dayAfterBar', () => {
  it('is the next calendar day of the bar (the study then anchors to the next trading day)', () => {
    expect(dayAfterBar(new Date('2015-03-06T00:00:00Z'))).toBe('2015-03-07');
    expect(dayAfterBar(new Date('2015-12-31T21:00:00Z'))).toBe('2016-01-01');
  });
});
