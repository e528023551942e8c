/**
 * Planning deliveries (one row per event and endpoint, the body fixed once) and starting one
 * `deliverWebhookWorkflow` per delivery. Both halves are idempotent, so any activity that
 * commits an event can call them again after a crash: rows are unique per (endpoint, event),
 * and workflow ids (`webhook-delivery-<deliveryId>`) are never reused, so a delivery already
 * running or finished is not started twice.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { WebhookRetryOptions } from '../domain/webhooks';
import type { Queryable } from '../events/publish';
import { siblingWorkflowQueue } from '../domain/task-queues';
import { deliverWebhookWorkflow } from '../workflows/webhook.workflow';

export const deliveryWorkflowId = (deliveryId: string) => `webhook-delivery-${deliveryId}`;

/**
 * Deliveries of `signal.created` for the given signals to every enabled SIGNALS endpoint whose
 * filter matches and that existed when the signal was stored. Returns the ids still PENDING.
 */
export async function planSignalDeliveries(db: Queryable, signalIds: string[]): Promise<string[]> {
  if (signalIds.length === 0) return [];
  const rows = (await db.query(
    `WITH matched AS (
       SELECT e.id AS endpoint_id, 'signal:' || s.id AS event_key,
              jsonb_build_object('id', s.id, 'ticker', s.ticker, 'type', s.type, 'confidence', s.confidence,
                'riskLevel', s.risk_level, 'suggestedPositionSize', s.suggested_position_size, 'asOf', s.as_of,
                'createdAt', s.created_at, 'modelVersions', s.model_versions) AS payload
       FROM signals s
       JOIN webhook_endpoints e ON e.kind = 'SIGNALS' AND e.enabled AND e.created_at <= s.created_at
         AND (e.tickers IS NULL OR s.ticker = ANY(e.tickers))
         AND (e.types IS NULL OR s.type = ANY(e.types))
         AND s.confidence >= e.min_confidence
       WHERE s.id = ANY($1::uuid[])
     ), inserted AS (
       INSERT INTO webhook_deliveries (endpoint_id, event_type, event_key, payload)
       SELECT endpoint_id, 'signal.created', event_key, payload FROM matched
       ON CONFLICT (endpoint_id, event_key) DO NOTHING
       RETURNING id
     )
     SELECT id FROM inserted
     UNION ALL
     SELECT d.id FROM matched m JOIN webhook_deliveries d ON d.endpoint_id = m.endpoint_id AND d.event_key = m.event_key WHERE d.status = 'PENDING'`,
    [signalIds],
  )) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/**
 * When a feed has failed `threshold` polls in a row and operators have not been told yet: marks
 * it alerted and plans a `feed.failing` delivery to every enabled OPERATOR endpoint, in one
 * statement. Also returns alert deliveries of this feed still PENDING (an earlier attempt may
 * have planned them and died before starting their workflows).
 */
export async function planFeedAlert(db: Queryable, feedId: string, threshold: number): Promise<string[]> {
  const rows = (await db.query(
    `WITH alerted AS (
       UPDATE feeds SET failure_alerted_at = now()
       WHERE id = $1 AND consecutive_failures >= $2 AND failure_alerted_at IS NULL
       RETURNING id, name, url, consecutive_failures, last_error, last_success_at, failure_alerted_at
     ), inserted AS (
       INSERT INTO webhook_deliveries (endpoint_id, event_type, event_key, payload)
       SELECT e.id, 'feed.failing', 'feed-failing:' || a.id || ':' || to_char(a.failure_alerted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
              jsonb_build_object('feedId', a.id, 'name', a.name, 'url', a.url, 'consecutiveFailures', a.consecutive_failures,
                'lastError', a.last_error, 'lastSuccessAt', a.last_success_at, 'alertedAt', a.failure_alerted_at)
       FROM alerted a JOIN webhook_endpoints e ON e.kind = 'OPERATOR' AND e.enabled
       ON CONFLICT (endpoint_id, event_key) DO NOTHING
       RETURNING id
     )
     SELECT id FROM inserted
     UNION ALL
     SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.kind = 'OPERATOR'
     WHERE d.event_key LIKE 'feed-failing:' || $1 || ':%' AND d.status = 'PENDING'`,
    [feedId, threshold],
  )) as Array<{ id: string }>;
  return [...new Set(rows.map((r) => r.id))];
}

/** Starts one delivery workflow per id (up to 32 at a time); ids already started are left alone. */
export async function startDeliveries(client: Client, taskQueue: string, deliveryIds: string[], retry: WebhookRetryOptions): Promise<number> {
  let started = 0;
  const queue = [...new Set(deliveryIds)];
  const work = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await client.workflow.start(deliverWebhookWorkflow, {
          // Deliveries run on the alerts queue, whichever queue's activity planned them.
          taskQueue: siblingWorkflowQueue(taskQueue, deliverWebhookWorkflow),
          workflowId: deliveryWorkflowId(id),
          args: [{ deliveryId: id, retry }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        started++;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, queue.length) }, work));
  return started;
}
