/** What one webhook delivery workflow returns. */

export interface DeliveryOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  /** HTTP attempts it took (known when it succeeded). */
  attempts?: number;
  reason?: string;
}

/**
 * The activities workflows/webhook.workflow.ts calls, named here so that the workflow need not
 * import the activities module (which starts that workflow: the import circle of issue 20).
 * activities/index.ts checks that the registered activities satisfy it.
 */
export interface WebhookDeliveryActivities {
  attemptWebhookDelivery(input: { deliveryId: string }): Promise<DeliveryOutcome>;
  failWebhookDelivery(input: { deliveryId: string; reason: string }): Promise<{ endpointDisabled: boolean }>;
}
