export type {
  Execution, BacktestBars, BacktestOptions, BacktestResult, PerformanceMetrics, TradeStats,
} from './types';
export { runBacktest } from './engine';
export { buildExecutionPlan } from './execution-plan';
export type { ExecutionPlan } from './execution-plan';
export { performanceMetrics, sharpeRatio, sortinoRatio, maxDrawdown, cagr, equityReturns } from './metrics';
export { inferPeriodsPerYear, yearsCovered } from './periods';
export { downsampleEquity } from './downsample';
export type { DownsampledEquity } from './downsample';
export {
  positionsFromSignals, sentimentThresholdPositions, rollingSentimentByBar,
} from './strategies';
export type {
  SignalType, TimedSignal, SignalPositionOptions, SentimentThresholdParams, SentimentObservation,
} from './strategies';
export {
  preparePermutationTest, runPermutationChunk, combinePermutationChunks, permutationTest, planStatistic,
} from './permutation';
export type {
  PermutationStatistic, PreparedPermutationTest, PermutationChunkResult, PermutationTestResult,
} from './permutation';
export { SeededRandom, streamSeed } from './seeded-random';
export { barsToArrays } from './bars';
export {
  expandGrid, runBestOfNChunk, combineBestOfN, walkForwardWindows, walkForwardStep, backtestSlice, stitchEquity,
} from './sweep';
export type { SweepValue, BestOfNChunkResult, WalkForwardWindow, WalkForwardStep } from './sweep';
export { BacktestDataError, SIGNAL_LOOKBACK_MS } from './contracts';
export type { BacktestParams, BacktestPlan, BacktestOutcome, BacktestSizing, BacktestStrategy, BacktestStrategyInput } from './contracts';
export { STRATEGIES, describeStrategies, strategyEntry, strategyKindList, replayTargetOf, smaCrossoverPositions } from './strategy-registry';
export type {
  AnyStrategyEntry, StrategyChecks, StrategyData, StrategyDescription, StrategyEntry, StrategyField, StrategyKind, StrategyNeeds, StrategyPositions, FlatStrategyInput,
  SignalsStrategy, SentimentThresholdStrategy, SmaCrossoverStrategy,
} from './strategy-registry';
