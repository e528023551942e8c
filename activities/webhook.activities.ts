import { activityInfo, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { DeliveryOutcome } from '../contracts';
import { DEFAULT_USER_AGENT } from '../domain/feeds';
import { STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { classifyStatus, DEFAULT_RETRY, retryAfterDelayMs, webhookHeaders, type WebhookRetryOptions } from '../domain/webhooks';
import { planFeedAlert, planSignalDeliveries, startDeliveries } from './webhook-fanout';
import { postWebhook } from './webhook-http';

/** What the worker's config says about webhooks (config.webhooks, config.fetchPolicy). */
export interface WebhookOptions {
  destinationPolicy?: DestinationPolicy;
  retry?: WebhookRetryOptions;
  maxResponseBytes?: number;
  disableAfter?: number;
  feedAlertAfter?: number;
}

/** Non-retryable failure types: the workflow stops on them. */
export const PERMANENT_FAILURE = 'WebhookPermanentFailure';

export function resolveWebhookOptions(options: WebhookOptions = {}) {
  return {
    destinationPolicy: options.destinationPolicy ?? STRICT_POLICY,
    retry: options.retry ?? DEFAULT_RETRY,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
    disableAfter: options.disableAfter ?? 10,
    feedAlertAfter: options.feedAlertAfter ?? 5,
  };
}

/** Plans and starts deliveries from inside any activity (the worker's client, the activity's task queue). */
export async function fanOutSignals(db: DataSource, signalIds: string[], options: WebhookOptions): Promise<number> {
  const ids = await planSignalDeliveries(db, signalIds);
  if (ids.length === 0) return 0;
  return startDeliveries(Context.current().client, activityInfo().taskQueue, ids, resolveWebhookOptions(options).retry);
}

export async function alertOperatorsIfFailing(db: DataSource, feedId: string, options: WebhookOptions): Promise<number> {
  const resolved = resolveWebhookOptions(options);
  const ids = await planFeedAlert(db, feedId, resolved.feedAlertAfter);
  if (ids.length === 0) return 0;
  return startDeliveries(Context.current().client, activityInfo().taskQueue, ids, resolved.retry);
}

export function webhookActivities(db: DataSource, log: Logger, options: WebhookOptions = {}) {
  const o = resolveWebhookOptions(options);
  return {
    /**
     * One HTTP attempt of one delivery (Temporal's retry policy makes the next one, with
     * exponential backoff or the receiver's Retry-After). Every attempt is recorded with its
     * status code, latency and error. Idempotent: a delivery that already ended is not sent again.
     */
    async attemptWebhookDelivery(input: { deliveryId: string }): Promise<DeliveryOutcome> {
      const attempt = activityInfo().attempt;
      const [row] = (await db.query(
        `SELECT d.id, d.status, d.attempts, d.event_type, d.payload, e.url, e.secret, e.enabled, e.disabled_reason
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
        [input.deliveryId],
      )) as Array<{ id: string; status: string; attempts: number; event_type: string; payload: Record<string, unknown>; url: string; secret: string; enabled: boolean; disabled_reason: string | null }>;
      if (!row) throw ApplicationFailure.create({ type: PERMANENT_FAILURE, message: 'the delivery or its endpoint no longer exists', nonRetryable: true });
      if (row.status === 'SUCCEEDED') return { status: 'SUCCEEDED', attempts: row.attempts };
      if (row.status === 'FAILED') throw ApplicationFailure.create({ type: PERMANENT_FAILURE, message: 'the delivery already failed', nonRetryable: true });
      if (!row.enabled) throw ApplicationFailure.create({ type: PERMANENT_FAILURE, message: `endpoint disabled: ${row.disabled_reason ?? 'by its owner'}`, nonRetryable: true });

      const body = JSON.stringify({ id: row.id, type: row.event_type, attempt, data: row.payload });
      const headers = webhookHeaders({ deliveryId: row.id, eventType: row.event_type, secret: row.secret, body });
      const startedAt = new Date();
      const result = await postWebhook(row.url, body, headers, {
        policy: o.destinationPolicy,
        timeoutMs: o.retry.attemptTimeoutMs,
        maxResponseBytes: o.maxResponseBytes,
        userAgent: DEFAULT_USER_AGENT.replace('TidingsBot', 'TidingsWebhook'),
      });
      const verdict = result.refused ? 'permanent' : result.statusCode === null ? 'retry' : classifyStatus(result.statusCode);
      const delivered = verdict === 'delivered';
      // The attempt, the delivery's state and (on success) the endpoint's streak in one statement.
      await db.query(
        `WITH attempt AS (
           INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (delivery_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at, status_code = EXCLUDED.status_code, latency_ms = EXCLUDED.latency_ms, error = EXCLUDED.error
         ), delivery AS (
           UPDATE webhook_deliveries SET attempts = GREATEST(attempts, $2), last_status_code = $4, last_error = $6,
             status = CASE WHEN $7::boolean THEN 'SUCCEEDED' ELSE status END,
             completed_at = CASE WHEN $7::boolean THEN now() ELSE completed_at END
           WHERE id = $1 AND status = 'PENDING'
           RETURNING endpoint_id
         )
         UPDATE webhook_endpoints SET consecutive_failures = 0, last_success_at = now()
         WHERE $7::boolean AND id = (SELECT endpoint_id FROM delivery)`,
        [row.id, attempt, startedAt.toISOString(), result.statusCode, result.latencyMs, result.error, delivered],
      );
      if (delivered) return { status: 'SUCCEEDED', attempts: attempt };
      const message = result.error ?? `HTTP ${result.statusCode}`;
      if (verdict === 'permanent') throw ApplicationFailure.create({ type: PERMANENT_FAILURE, message, nonRetryable: true });
      const delay = retryAfterDelayMs(result.retryAfterSeconds, o.retry);
      throw ApplicationFailure.create({ type: 'WebhookAttemptFailed', message, nextRetryDelay: delay === undefined ? undefined : `${delay} ms` });
    },

    /**
     * A delivery that will not be retried: FAILED with its reason, and one more failure in its
     * endpoint's streak; at `disableAfter` the endpoint is disabled with the reason shown to
     * its owner. Idempotent (only a PENDING delivery counts).
     */
    async failWebhookDelivery(input: { deliveryId: string; reason: string }): Promise<{ endpointDisabled: boolean }> {
      const rows = (await db.query(
        `WITH failed AS (
           UPDATE webhook_deliveries SET status = 'FAILED', completed_at = now(), last_error = COALESCE(last_error, $2)
           WHERE id = $1 AND status = 'PENDING' RETURNING endpoint_id
         )
         UPDATE webhook_endpoints e SET consecutive_failures = e.consecutive_failures + 1, last_failure_at = now(),
           enabled = CASE WHEN e.consecutive_failures + 1 >= $3 THEN false ELSE e.enabled END,
           disabled_at = CASE WHEN e.enabled AND e.consecutive_failures + 1 >= $3 THEN now() ELSE e.disabled_at END,
           disabled_reason = CASE WHEN e.enabled AND e.consecutive_failures + 1 >= $3
             THEN 'disabled automatically: ' || (e.consecutive_failures + 1) || ' deliveries in a row failed; the last: ' || left($2, 500)
             ELSE e.disabled_reason END
         FROM failed WHERE e.id = failed.endpoint_id
         RETURNING e.id, e.enabled, e.consecutive_failures`,
        [input.deliveryId, input.reason.slice(0, 1000), o.disableAfter],
      )) as [Array<{ id: string; enabled: boolean; consecutive_failures: number }>, number] | Array<{ id: string; enabled: boolean; consecutive_failures: number }>;
      const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Array<{ id: string; enabled: boolean; consecutive_failures: number }>;
      const endpoint = list[0];
      if (endpoint && !endpoint.enabled) log.warn({ endpointId: endpoint.id, failures: endpoint.consecutive_failures }, 'webhook endpoint disabled after repeated failures');
      return { endpointDisabled: endpoint ? !endpoint.enabled : false };
    },
  };
}
