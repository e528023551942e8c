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
  expandGrid, runBestOfNChunk, combineBestOfN, walkForwardWindows, walkForwardStep, backtestSlice, stitchEquity, prepareWalkForwardPermutationTest,
} from './sweep';
export type { SweepValue, BestOfNChunkResult, WalkForwardWindow, WalkForwardGaps, WalkForwardStep } from './sweep';
export { BacktestDataError, SIGNAL_LOOKBACK_MS } from './contracts';
export type { BacktestParams, BacktestPlan, BacktestOutcome, BacktestSizing, BacktestStrategy, BacktestStrategyInput } from './contracts';
export { STRATEGIES, describeStrategies, strategyEntry, strategyKindList, replayTargetOf, smaCrossoverPositions } from './strategy-registry';
export type {
  AnyStrategyEntry, StrategyChecks, StrategyData, StrategyDescription, StrategyEntry, StrategyField, StrategyKind, StrategyNeeds, StrategyPositions, FlatStrategyInput,
  SignalsStrategy, SentimentThresholdStrategy, SmaCrossoverStrategy,
} from './strategy-registry';
export { runPortfolioBacktest, decideWeights, alignTickerBars, validatePortfolioInput } from './portfolio';
export type {
  PortfolioAsset, PortfolioBenchmark, PortfolioInput, PortfolioConfig, PortfolioRebalance, PortfolioTickerResult, PortfolioResult, PortfolioPlan,
} from './portfolio';
export { rebalanceBars, selectTickers, bookWeights, trailingVolatility } from './portfolio-selection';
export type { RebalanceFrequency, WeightScheme, Selector } from './portfolio-selection';
export {
  preparePortfolioPermutationTest, runPortfolioPermutationChunk, portfolioPermutationTest, portfolioPlanStatistic,
} from './portfolio-permutation';
export type { PreparedPortfolioPermutationTest } from './portfolio-permutation';
export { signalConfidenceByBar, portfolioSearchConfigs } from './portfolio-contracts';
export type { PortfolioRanking, PortfolioBacktestParams, PortfolioSignal, PortfolioSearch } from './portfolio-contracts';
export { portfolioWalkForward, runPortfolioBestOfNChunk, slicePortfolioPlan, joinPortfolioPlans, planEquity } from './portfolio-search';
export type { PortfolioWalkForwardStep } from './portfolio-search';
