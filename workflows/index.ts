// The worker's workflow bundle entry point: every workflow the product runs, and nothing that
// does I/O (workflow code must stay deterministic).
export { pipelineProbeWorkflow } from './pipeline-probe.workflow';
export { pollFeedWorkflow } from './poll-feed.workflow';
export { accurateRescoreWorkflow, backfillSentimentWorkflow, scoreArticlesWorkflow } from './sentiment.workflow';
export { backfillEmotionsWorkflow } from './emotions.workflow';
export { computeSignalsWorkflow } from './signals.workflow';
export { backtestWorkflow } from './backtest.workflow';
export { deliverWebhookEventWorkflow } from './webhook.workflow';
export { fetchPricesWorkflow, recomputeFollowedSignalsWorkflow } from './prices.workflow';
export { replaySignalsWorkflow } from './signal-replay.workflow';
export { parameterSweepWorkflow, sweepConfigWorkflow, walkForwardWorkflow } from './sweep.workflow';
export { portfolioBacktestWorkflow } from './portfolio-backtest.workflow';
export { retagArticlesWorkflow } from './retag.workflow';
