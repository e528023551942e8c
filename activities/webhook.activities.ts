import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { WorkerMetrics } from '../observability/metrics';
import type { WebhookDeliveryActivities } from '../contracts';
import { heartbeating } from './heartbeat';
import { deliveryRounds } from './webhook-round';
import type { WebhookOptions } from './webhook-options';

export type { WebhookOptions } from './webhook-options';

/** The delivery workflow's activities: its rounds after the first (which the committing activity makes) and its failures. */
export function webhookActivities(db: DataSource, log: Logger, options: WebhookOptions = {}, metrics?: WorkerMetrics): WebhookDeliveryActivities {
  const rounds = deliveryRounds(db, log, options, metrics);
  return {
    /** One round of attempts (`deliveryRounds().attempt`): receivers' failures are outcomes, not activity failures. */
    attemptWebhookDeliveries: heartbeating((input) => rounds.attempt(input)),
    /** Deliveries that will not be retried (`deliveryRounds().fail`). */
    failWebhookDeliveries: (input) => rounds.fail(input.failures),
  };
}
