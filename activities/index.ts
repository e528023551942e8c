import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { WebhookDeliveryActivities } from '../contracts';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/metrics';
import { ingestionActivities, type FeedIngestOptions } from './ingestion.activities';
import { featureFlagActivities } from './feature-flag.activities';
import { pipelineProbeActivities } from './pipeline-probe.activities';
import { sentimentActivities } from './sentiment.activities';
import { backtestActivities } from './backtest.activities';
import { heartbeating } from './heartbeat';
import { signalActivities } from './signal.activities';
import { webhookActivities } from './webhook.activities';
import type { WebhookOptions } from './webhook-options';
import { priceSourceActivities } from './price-source.activities';
import { signalReplayActivities } from './signal-replay.activities';
import { sweepActivities } from './sweep.activities';
import { portfolioBacktestActivities } from './portfolio-backtest.activities';
import { retagActivities } from './retag.activities';

/** What every activity may use; built once per worker process. */
export interface ActivityDeps {
  db: DataSource;
  log: Logger;
  feeds?: FeedIngestOptions;
  /** The worker's metrics; a private set (exported nowhere) when absent. */
  metrics?: WorkerMetrics;
  /** Webhook delivery and operator alerts (config.webhooks, config.feedAlertAfter, config.fetchPolicy). */
  webhooks?: WebhookOptions;
}

export function createActivities(deps: ActivityDeps) {
  const metrics = deps.metrics ?? createWorkerMetrics();
  const ingestion = ingestionActivities(deps.db, deps.log, { ...deps.feeds, operatorAlerts: deps.webhooks }, metrics);
  const sentiment = sentimentActivities(deps.db, deps.log, metrics);
  const signals = signalActivities(deps.db, deps.log, metrics, deps.webhooks);
  return {
    ...pipelineProbeActivities(deps.db),
    ...featureFlagActivities(deps.db),
    ...ingestion,
    ...sentiment,
    ...signals,
    ...webhookActivities(deps.db, deps.log, deps.webhooks, metrics),
    ...priceSourceActivities(deps.db, deps.log, { destinationPolicy: deps.feeds?.destinationPolicy }),
    ...backtestActivities(deps.db, deps.log),
    ...signalReplayActivities(deps.db, deps.log),
    ...sweepActivities(deps.db, deps.log),
    ...portfolioBacktestActivities(deps.db, deps.log),
    ...retagActivities(deps.db, deps.log),
    // The pipeline's activities heartbeat on a timer: their workflows notice a dead worker in ~10 s.
    pollFeed: heartbeating(ingestion.pollFeed),
    scoreArticles: heartbeating(sentiment.scoreArticles),
    computeSignals: heartbeating(signals.computeSignals),
  };
}

export type Activities = ReturnType<typeof createActivities>;

// workflows/webhook.workflow.ts proxies these through the contract, not through this module.
const webhookDeliveryContract: (a: Activities) => WebhookDeliveryActivities = (a) => a;
void webhookDeliveryContract;
