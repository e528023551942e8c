import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { ingestionActivities, type FeedIngestOptions } from './ingestion.activities';
import { featureFlagActivities } from './feature-flag.activities';
import { pipelineProbeActivities } from './pipeline-probe.activities';
import { sentimentActivities } from './sentiment.activities';
import { backtestActivities } from './backtest.activities';
import { signalActivities } from './signal.activities';
import { webhookActivities, type WebhookOptions } from './webhook.activities';
import { priceSourceActivities } from './price-source.activities';

/** What every activity may use; built once per worker process. */
export interface ActivityDeps {
  db: DataSource;
  log: Logger;
  feeds?: FeedIngestOptions;
  /** Webhook delivery and operator alerts (config.webhooks, config.feedAlertAfter, config.fetchPolicy). */
  webhooks?: WebhookOptions;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...pipelineProbeActivities(deps.db),
    ...featureFlagActivities(deps.db),
    ...ingestionActivities(deps.db, deps.log, { ...deps.feeds, operatorAlerts: deps.webhooks }),
    ...sentimentActivities(deps.db, deps.log),
    ...signalActivities(deps.db, deps.log, deps.webhooks),
    ...webhookActivities(deps.db, deps.log, deps.webhooks),
    ...priceSourceActivities(deps.db, deps.log, { destinationPolicy: deps.feeds?.destinationPolicy }),
    ...backtestActivities(deps.db, deps.log),
  };
}

export type Activities = ReturnType<typeof createActivities>;
