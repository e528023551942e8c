import { fitHawkes, hawkesIntensity, hawkesLogLikelihood } from './hawkes';

/** A seeded LCG so the simulation is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

/** Ogata thinning: a Hawkes sample path on [0, T]. */
function simulate(mu: number, alpha: number, beta: number, T: number, seed: number): number[] {
  const u = rng(seed);
  const events: number[] = [];
  let t = 0;
  while (t < T) {
    const bound = hawkesIntensity(events, t + 1e-12, { mu, alpha, beta }) + alpha * beta;
    t += -Math.log(u()) / bound;
    if (t >= T) break;
    if (u() * bound <= hawkesIntensity(events, t, { mu, alpha, beta })) events.push(t);
  }
  return events;
}

describe('Hawkes log-likelihood (Ozaki recursion)', () => {
  it('equals the hand-computed value for three events', () => {
    // times 1, 2, 4 on [0, 5]; mu 0.5, alpha 0.5, beta 1 (so alpha*beta = 0.5)
    // A1 = 0; A2 = e^-1 (1 + 0) = 0.367879; A3 = e^-2 (1 + 0.367879) = 0.185122
    // sum log λ = log 0.5 + log(0.5 + 0.5*0.367879) + log(0.5 + 0.5*0.185122)
    //           = -0.693147 + log 0.683940 + log 0.592561 = -0.693147 - 0.379885 - 0.523301 = -1.596333
    // compensator = 0.5*5 + 0.5*[(1 - e^-4) + (1 - e^-3) + (1 - e^-1)] = 2.5 + 0.5*(0.981684 + 0.950213 + 0.632121) = 3.782009
    expect(hawkesLogLikelihood([1, 2, 4], 5, { mu: 0.5, alpha: 0.5, beta: 1 })).toBeCloseTo(-1.596333 - 3.782009, 5);
  });

  it('is the Poisson likelihood when alpha is 0', () => {
    // n log mu - mu T = 4 log 2 - 2*10
    expect(hawkesLogLikelihood([1, 3, 5, 7], 10, { mu: 2, alpha: 0, beta: 3 })).toBeCloseTo(4 * Math.log(2) - 20, 10);
  });

  it('matches the direct O(n²) sum', () => {
    const times = [0.3, 0.9, 1.0, 2.7, 2.75, 2.8, 6.1];
    const p = { mu: 0.4, alpha: 0.6, beta: 2.5 };
    let direct = 0;
    for (const t of times) direct += Math.log(hawkesIntensity(times, t, p));
    direct -= p.mu * 8 + p.alpha * times.reduce((s, t) => s + (1 - Math.exp(-p.beta * (8 - t))), 0);
    expect(hawkesLogLikelihood(times, 8, p)).toBeCloseTo(direct, 10);
  });

  it('intensity: baseline plus decayed kicks from earlier events only', () => {
    // λ(3) after events at 1 and 2 with mu 0.5, alpha 0.5, beta 1 = 0.5 + 0.5*(e^-2 + e^-1) = 0.5 + 0.5*0.503215 = 0.751607
    expect(hawkesIntensity([1, 2, 4], 3, { mu: 0.5, alpha: 0.5, beta: 1 })).toBeCloseTo(0.751607, 6);
    expect(hawkesIntensity([1, 2], 1, { mu: 0.5, alpha: 0.5, beta: 1 })).toBe(0.5);
  });
});

describe('fitHawkes', () => {
  it('needs a few events', () => {
    expect(fitHawkes([1, 2, 3], 10)).toBeNull();
  });

  it('finds no self-excitation in evenly spaced news and a rate near n / T', () => {
    const even = Array.from({ length: 48 }, (_, i) => i * 3.5 + 1);
    const fit = fitHawkes(even, 168)!;
    expect(fit.alpha).toBeLessThan(0.05);
    expect(fit.mu).toBeCloseTo(48 / 168, 1);
    expect(fit.intensityRatio).toBeLessThan(1.1);
  });

  it('recovers the parameters of a simulated process and is at least as likely as the truth', () => {
    const truth = { mu: 0.2, alpha: 0.6, beta: 1.5 };
    const T = 2000;
    const events = simulate(truth.mu, truth.alpha, truth.beta, T, 7);
    const fit = fitHawkes(events, T)!;
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(hawkesLogLikelihood(events, T, truth) - 1e-6);
    expect(fit.alpha).toBeGreaterThan(0.45);
    expect(fit.alpha).toBeLessThan(0.75);
    expect(fit.mu).toBeGreaterThan(0.12);
    expect(fit.mu).toBeLessThan(0.3);
    // Stationary rate mu / (1 - alpha) against the sample rate.
    expect(fit.mu / (1 - fit.alpha)).toBeCloseTo(events.length / T, 1);
  });

  it('a burst of news at the end raises the current intensity above baseline', () => {
    const quiet = Array.from({ length: 20 }, (_, i) => i * 7 + 2); // one every 7 hours
    const burst = [150, 150.1, 150.2, 150.3, 150.5, 150.6, 150.8, 151, 151.1, 151.3];
    const fit = fitHawkes([...quiet, ...burst], 151.5)!;
    expect(fit.alpha).toBeGreaterThan(0.2);
    expect(fit.currentIntensity).toBeGreaterThan(3 * fit.mu);
    expect(fit.intensityRatio).toBeGreaterThan(3);
    // The same history long after the burst is back near baseline.
    const later = fitHawkes([...quiet, ...burst], 400)!;
    expect(later.intensityRatio).toBeLessThan(1.5);
  });
});
