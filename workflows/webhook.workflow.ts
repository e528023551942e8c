import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { DeliveryOutcome, WebhookDeliveryActivities } from '../contracts';
import type { WebhookRetryOptions } from '../domain/webhooks';

/**
 * One delivery of one event to one endpoint. Each HTTP attempt is an activity attempt:
 * Temporal retries it with exponential backoff (or the receiver's Retry-After, through
 * nextRetryDelay) until it succeeds, a permanent 4xx stops it, or `maxAgeMs` (24 h) has passed.
 * A worker that dies mid-attempt loses only that attempt: after startToCloseTimeout it is
 * retried on another worker with the same delivery id, which receivers deduplicate on.
 */
export async function deliverWebhookWorkflow(input: { deliveryId: string; retry: WebhookRetryOptions }): Promise<DeliveryOutcome> {
  const { retry } = input;
  const { attemptWebhookDelivery } = proxyActivities<WebhookDeliveryActivities>({
    startToCloseTimeout: retry.attemptTimeoutMs + 5_000,
    scheduleToCloseTimeout: retry.maxAgeMs,
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maxIntervalMs,
      nonRetryableErrorTypes: ['WebhookPermanentFailure'],
    },
  });
  const { failWebhookDelivery } = proxyActivities<WebhookDeliveryActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  try {
    return await attemptWebhookDelivery({ deliveryId: input.deliveryId });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    let reason: string;
    if (cause instanceof TimeoutFailure) reason = `gave up after ${Math.round(retry.maxAgeMs / 3_600_000)} h of retries`;
    else if (cause instanceof ApplicationFailure) reason = cause.message;
    else reason = cause?.message ?? err.message;
    await failWebhookDelivery({ deliveryId: input.deliveryId, reason });
    return { status: 'FAILED', reason };
  }
}
