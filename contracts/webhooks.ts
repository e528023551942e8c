/** Webhook delivery: what the per-event delivery workflow and its activities exchange. */
import type { WebhookRetryOptions } from '../domain/webhooks/policy';

/** How one delivery ended (deliverWebhookEventWorkflow returns one per delivery id). */
export interface DeliveryOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  /** HTTP attempts it took (known when it succeeded). */
  attempts?: number;
  reason?: string;
}

/** What one delivery came to in a round of attempts (attemptWebhookDeliveries). */
export type DeliveryAttemptOutcome =
  | { deliveryId: string; verdict: 'delivered'; attempt: number }
  /** `retryAfterMs`: the receiver's Retry-After (capped), which replaces the backoff for the next wait. */
  | { deliveryId: string; verdict: 'retry'; attempt: number; reason: string; retryAfterMs?: number }
  | { deliveryId: string; verdict: 'permanent'; reason: string };

/**
 * One round: the deliveries to attempt, the event's retry policy, and when the event is given up
 * (epoch ms): a retry due within INLINE_RETRY_WINDOW_MS is made inside the round, the rest come back.
 */
export interface AttemptRoundInput {
  deliveryIds: string[];
  retry?: WebhookRetryOptions;
  giveUpAt?: number;
}

/**
 * Retries due this soon after a round starts are made inside it (a short backoff or Retry-After):
 * a timer and two workflow tasks would cost more than the wait itself on a busy server.
 */
export const INLINE_RETRY_WINDOW_MS = 5_000;

/**
 * The activities workflows/webhook.workflow.ts calls, named here so that the workflow need not
 * import the activities module (which starts that workflow: the import circle of issue 20).
 * activities/index.ts checks that the registered activities satisfy it.
 */
export interface WebhookDeliveryActivities {
  attemptWebhookDeliveries(input: AttemptRoundInput): Promise<DeliveryAttemptOutcome[]>;
  failWebhookDeliveries(input: { failures: Array<{ deliveryId: string; reason: string }> }): Promise<{ endpointsDisabled: number }>;
}
