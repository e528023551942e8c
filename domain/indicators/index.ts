export { sma, ema, rsi, macd, alignRight, DEFAULT_MACD } from './moving-averages';
export type { MacdSeries, MacdParams } from './moving-averages';
export { rollingVolatility, logReturns } from './volatility';
export { hurstExponent, hurstOfPrices, rescaledRange, expectedRescaledRange } from './hurst';
export type { HurstOptions } from './hurst';
export { fitHawkes, hawkesIntensity, hawkesLogLikelihood } from './hawkes';
export type { HawkesFit, HawkesParams, FitHawkesOptions } from './hawkes';
export { classifyVsaBars, DEFAULT_VSA_PARAMS, VSA_BIAS } from './vsa';
export type { VsaClass, VsaBar, VsaParams } from './vsa';
