/**
 * News intensity as a univariate Hawkes process with an exponential kernel:
 *
 *   λ(t) = μ + α·β · Σ_{t_i < t} exp(−β (t − t_i))
 *
 * μ is the baseline arrival rate (events per hour), α ∈ [0, 1) the branching ratio (the expected
 * number of follow-up articles each article triggers; the kernel α·β·e^{−βs} integrates to α),
 * and β the decay rate (1/β is the mean lag of a follow-up, in hours).
 *
 * Log-likelihood on an observation window [0, T] with event times 0 ≤ t_1 < … < t_n ≤ T, using
 * Ozaki's (1979) recursion A_1 = 0, A_i = e^{−β(t_i − t_{i−1})} (1 + A_{i−1}) so it costs O(n):
 *
 *   log L = Σ_i log(μ + α·β·A_i) − μ·T − α · Σ_i (1 − e^{−β (T − t_i)})
 *
 * fitHawkes maximises it with Nelder–Mead over unconstrained (log μ, logit α, log β), started
 * from a few deterministic points (pure and reproducible: same input, same fit).
 */

export interface HawkesParams {
  /** Baseline events per hour. */
  mu: number;
  /** Branching ratio in [0, 1). */
  alpha: number;
  /** Decay per hour. */
  beta: number;
}

export interface HawkesFit extends HawkesParams {
  logLikelihood: number;
  events: number;
  /** Window length in hours. */
  windowHours: number;
  /** λ at the end of the window (events per hour). */
  currentIntensity: number;
  /** currentIntensity / mu: above 1 means a burst is under way. */
  intensityRatio: number;
}

/** Event times in hours from the window start, ascending, all in [0, T]. */
export function hawkesLogLikelihood(times: readonly number[], T: number, { mu, alpha, beta }: HawkesParams): number {
  if (!(mu > 0) || !(alpha >= 0) || !(beta > 0) || !(T > 0)) return -Infinity;
  let logSum = 0;
  let A = 0;
  let compensator = mu * T;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (i > 0) A = Math.exp(-beta * (t - times[i - 1]!)) * (1 + A);
    const lambda = mu + alpha * beta * A;
    if (!(lambda > 0)) return -Infinity;
    logSum += Math.log(lambda);
    compensator += alpha * (1 - Math.exp(-beta * (T - t)));
  }
  return logSum - compensator;
}

/** λ(t) given the events strictly before t. */
export function hawkesIntensity(times: readonly number[], t: number, { mu, alpha, beta }: HawkesParams): number {
  let excitation = 0;
  for (const ti of times) if (ti < t) excitation += Math.exp(-beta * (t - ti));
  return mu + alpha * beta * excitation;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** α is kept below this: at 1 the process explodes and the likelihood has no maximum. */
const MAX_ALPHA = 0.99;

function nelderMead(f: (x: number[]) => number, start: number[], step: number, iterations: number): { x: number[]; fx: number } {
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, fx: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.fx - best.fx) < 1e-10 * (1 + Math.abs(best.fx))) break;
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const at = (t: number) => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const reflected = { x: at(-1), fx: 0 };
    reflected.fx = f(reflected.x);
    if (reflected.fx < best.fx) {
      const expanded = { x: at(-2), fx: 0 };
      expanded.fx = f(expanded.x);
      simplex[n] = expanded.fx < reflected.fx ? expanded : reflected;
    } else if (reflected.fx < simplex[n - 1]!.fx) {
      simplex[n] = reflected;
    } else {
      const contracted = { x: reflected.fx < worst.fx ? at(-0.5) : at(0.5), fx: 0 };
      contracted.fx = f(contracted.x);
      if (contracted.fx < Math.min(worst.fx, reflected.fx)) simplex[n] = contracted;
      else simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!)), fx: f(p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!))) }));
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return simplex[0]!;
}

export interface FitHawkesOptions {
  /** Fewer events than this: no fit (null). Default 5. */
  minEvents?: number;
  /** Nelder–Mead iterations per start. Default 400. */
  iterations?: number;
}

/**
 * Maximum-likelihood fit on event times (hours from the window start, any order) over [0, T].
 * Returns null when there are too few events to say anything.
 */
export function fitHawkes(eventTimes: readonly number[], T: number, options: FitHawkesOptions = {}): HawkesFit | null {
  const times = eventTimes.filter((t) => Number.isFinite(t) && t >= 0 && t <= T).sort((a, b) => a - b);
  if (times.length < (options.minEvents ?? 5) || !(T > 0)) return null;
  const decode = (x: number[]): HawkesParams => ({ mu: Math.exp(x[0]!), alpha: MAX_ALPHA * sigmoid(x[1]!), beta: Math.exp(x[2]!) });
  const objective = (x: number[]) => {
    const ll = hawkesLogLikelihood(times, T, decode(x));
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  const poissonRate = times.length / T;
  let best: { x: number[]; fx: number } | null = null;
  // Starts: little, some and much self-excitation, with fast (minutes) to slow (a day) decay.
  for (const [alpha, beta] of [[0.1, 1], [0.5, 1], [0.5, 0.1], [0.8, 5], [0.3, 0.04]] as const) {
    const start = [Math.log(poissonRate * (1 - alpha)), Math.log(alpha / MAX_ALPHA / (1 - alpha / MAX_ALPHA)), Math.log(beta)];
    const result = nelderMead(objective, start, 0.5, options.iterations ?? 400);
    if (!best || result.fx < best.fx) best = result;
  }
  const params = decode(best!.x);
  const currentIntensity = hawkesIntensity(times, T + 1e-9, params);
  return {
    ...params,
    logLikelihood: -best!.fx,
    events: times.length,
    windowHours: T,
    currentIntensity,
    intensityRatio: currentIntensity / params.mu,
  };
}
