/**
 * Starting webhook deliveries from any activity that commits an event.
 *
 * Signals (the alerts a trader waits for): the committing activity plans the rows (store) and
 * makes the first attempt itself, right after the commit, in one batched round; only the
 * deliveries that must be tried again are handed to a `deliverWebhookEventWorkflow` (one per
 * event, on the alerts queue), which retries them on durable timers. So a delivery whose receiver
 * answers costs a POST and a share of a few batched statements, with no Temporal round trip
 * between the signal's commit and the POST.
 *
 * Operator alerts (rare) go straight to the workflow, which makes every attempt.
 *
 * Idempotent, so the activity can run it again after a crash: rows are unique per (endpoint,
 * event); a delivery that ended is never claimed again; an activity attempt after the first skips
 * the inline round and hands every PENDING delivery to the workflow, whose id
 * (`webhook-event-<event key>`) is never reused, so an event already handed over is not started
 * twice. A worker that dies mid-POST leaves its deliveries PENDING: the retried activity hands them
 * to the workflow, which re-sends them with the same delivery ids (receivers deduplicate on them).
 */
import { activityInfo, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { DeliveryAttemptOutcome } from '../contracts';
import { siblingWorkflowQueue } from '../domain/task-queues';
import { backoffMs, type WebhookRetryOptions } from '../domain/webhooks';
import type { WorkerMetrics } from '../observability/metrics';
import { planFeedAlert, planSignalDeliveries, type PlannedDelivery } from '../store/webhook-delivery-store';
import { deliverWebhookEventWorkflow, eventWorkflowId, type PendingDelivery } from '../workflows/webhook.workflow';
import { resolveWebhookOptions, type WebhookOptions } from './webhook-options';
import { deliveryRounds } from './webhook-round';

export interface SignalFanOut {
  /** Plans the signals' deliveries, POSTs their first attempts, hands the rest to workflows; resolves to the deliveries planned. */
  deliver(signalIds: string[]): Promise<number>;
}

export function signalFanOut(db: DataSource, log: Logger, options: WebhookOptions = {}, metrics?: WorkerMetrics): SignalFanOut {
  const rounds = deliveryRounds(db, log, options, metrics);
  const { retry } = resolveWebhookOptions(options);
  return {
    async deliver(signalIds) {
      const planned = await planSignalDeliveries(db, signalIds);
      if (planned.length === 0) return 0;
      const client = Context.current().client;
      const fromQueue = activityInfo().taskQueue;
      // A retried activity may have died mid-round: the workflow takes over from the rows' state.
      if (activityInfo().attempt > 1) return startEventDeliveries(client, fromQueue, planned, retry);
      const startedAt = Date.now();
      // No retries inside this round (giveUpAt = now): the activity that committed the signal
      // must not wait on a failing receiver; the workflow retries it.
      const outcomes = await rounds.attempt({ deliveryIds: planned.map((p) => p.id), retry, giveUpAt: startedAt });
      const permanent = outcomes.filter((o): o is Extract<DeliveryAttemptOutcome, { verdict: 'permanent' }> => o.verdict === 'permanent');
      if (permanent.length > 0) await rounds.fail(permanent.map((o) => ({ deliveryId: o.deliveryId, reason: o.reason })));
      const attemptedAt = Date.now();
      const pendingById = new Map<string, PendingDelivery>();
      for (const o of outcomes) {
        if (o.verdict === 'retry') pendingById.set(o.deliveryId, { id: o.deliveryId, attempts: o.attempt, nextAt: attemptedAt + (o.retryAfterMs ?? backoffMs(o.attempt, retry)) });
      }
      const byEvent = new Map<string, PendingDelivery[]>();
      for (const d of planned) {
        const pending = pendingById.get(d.id);
        if (pending) byEvent.set(d.eventKey, [...(byEvent.get(d.eventKey) ?? []), pending]);
      }
      for (const [eventKey, pending] of byEvent) await startEventWorkflow(client, fromQueue, eventKey, { deliveryIds: [], retry, state: { startedAt, pending, outcomes: {} } });
      return planned.length;
    },
  };
}

/** Operators hear of a feed failing `feedAlertAfter` polls in a row, once per streak. */
export async function alertOperatorsIfFailing(db: DataSource, feedId: string, options: WebhookOptions): Promise<number> {
  const resolved = resolveWebhookOptions(options);
  const planned = await planFeedAlert(db, feedId, resolved.feedAlertAfter);
  return startEventDeliveries(Context.current().client, activityInfo().taskQueue, planned, resolved.retry);
}

/** One delivery workflow per event, with all of that event's deliveries; events already started are left alone. */
export async function startEventDeliveries(client: Client, fromQueue: string, planned: PlannedDelivery[], retry: WebhookRetryOptions): Promise<number> {
  const byEvent = new Map<string, string[]>();
  for (const d of planned) byEvent.set(d.eventKey, [...(byEvent.get(d.eventKey) ?? []), d.id]);
  for (const [eventKey, deliveryIds] of byEvent) await startEventWorkflow(client, fromQueue, eventKey, { deliveryIds, retry });
  return planned.length;
}

async function startEventWorkflow(client: Client, fromQueue: string, eventKey: string, input: Parameters<typeof deliverWebhookEventWorkflow>[0]): Promise<void> {
  try {
    await client.workflow.start(deliverWebhookEventWorkflow, {
      taskQueue: siblingWorkflowQueue(fromQueue, deliverWebhookEventWorkflow),
      workflowId: eventWorkflowId(eventKey),
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
