import { STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { DEFAULT_RETRY, type WebhookRetryOptions } from '../domain/webhooks';

/** What the worker's config says about webhooks (config.webhooks, config.fetchPolicy). */
export interface WebhookOptions {
  destinationPolicy?: DestinationPolicy;
  retry?: WebhookRetryOptions;
  maxResponseBytes?: number;
  disableAfter?: number;
  feedAlertAfter?: number;
}

export function resolveWebhookOptions(options: WebhookOptions = {}) {
  return {
    destinationPolicy: options.destinationPolicy ?? STRICT_POLICY,
    retry: options.retry ?? DEFAULT_RETRY,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
    disableAfter: options.disableAfter ?? 10,
    feedAlertAfter: options.feedAlertAfter ?? 5,
  };
}
