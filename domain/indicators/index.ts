export { sma, ema, rsi, macd, alignRight, DEFAULT_MACD } from './moving-averages';
export type { MacdSeries, MacdParams } from './moving-averages';
export { rollingVolatility, logReturns } from './volatility';
export { hurstExponent, hurstOfPrices, rescaledRange, expectedRescaledRange } from './hurst';
export type { HurstOptions } from './hurst';
