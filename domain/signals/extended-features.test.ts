import { newsIntensityFeatures, vsaFeatures } from './extended-features';

const asOf = new Date('2025-03-15T12:00:00Z');
const hoursBefore = (h: number) => new Date(asOf.getTime() - h * 3.6e6);

describe('news intensity feature', () => {
  it('uses only articles in (asOf - window, asOf] and needs five', () => {
    const times = [hoursBefore(1), hoursBefore(2), hoursBefore(3), hoursBefore(400), new Date(asOf.getTime() + 3.6e6)];
    expect(newsIntensityFeatures(times, asOf)).toBeNull();
  });

  it('a burst just before asOf shows as intensity well above baseline', () => {
    const steady = Array.from({ length: 28 }, (_, i) => hoursBefore(12 * i + 10)); // one every 12 h over two weeks
    const burst = Array.from({ length: 10 }, (_, i) => hoursBefore(0.1 * i + 0.05)); // ten within the last hour
    const f = newsIntensityFeatures([...steady, ...burst], asOf)!;
    expect(f.events).toBe(38);
    expect(f.windowHours).toBe(336);
    expect(f.intensityRatio).toBeGreaterThan(3);
    expect(f.currentIntensity).toBeGreaterThan(f.baseline);
    // Later news cannot leak in: the same history seen from before the burst has no burst.
    const before = newsIntensityFeatures([...steady, ...burst], hoursBefore(2))!;
    expect(before.events).toBe(28);
    expect(before.intensityRatio).toBeLessThan(1.5);
  });
});

describe('VSA feature', () => {
  const day = (i: number) => new Date(Date.UTC(2025, 0, 1 + i));
  const bars = [
    ...Array.from({ length: 20 }, (_, i) => ({ time: day(i), open: 100, high: 101, low: 99, close: 100, volume: 1000 })),
    { time: day(20), open: 100, high: 100.8, low: 99.8, close: 100.5, volume: 800 }, // no-demand
    { time: day(21), open: 100, high: 101, low: 97, close: 98.5, volume: 3000 }, // selling climax
  ];

  it('reports the last class, the recent counts and the mean bias', () => {
    const f = vsaFeatures(bars, day(30))!;
    expect(f).toMatchObject({ lastBarTime: day(21).toISOString(), lastClass: 'selling-climax', recentBars: 2, bias: 0 });
    expect(f.counts).toMatchObject({ 'no-demand': 1, 'selling-climax': 1, none: 0 });
  });

  it('ignores bars after asOf', () => {
    expect(vsaFeatures(bars, day(20))).toMatchObject({ lastClass: 'no-demand', recentBars: 1, bias: -1 });
    expect(vsaFeatures(bars, day(19))).toBeNull();
  });
});
