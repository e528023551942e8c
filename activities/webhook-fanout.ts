/**
 * Starting webhook deliveries from any activity that commits an event.
 *
 * Signals (the alerts a trader waits for): the committing activity plans the rows (store) and
 * makes the first attempt itself, right after the commit, in one batched round; only the
 * deliveries that must be tried again are handed over, to their endpoint's retry workflow
 * (`deliverWebhookEventWorkflow` with one id per endpoint, signalled with start, on the alerts
 * queue), which retries them on durable timers. So a delivery whose receiver answers costs a POST
 * and a share of a few batched statements, with no Temporal round trip between the signal's
 * commit and the POST; and a receiver that is down costs one retry schedule, not one per event.
 *
 * Operator alerts (rare) go to a workflow per event, which makes every attempt.
 *
 * Idempotent, so the activity can run it again after a crash: rows are unique per (endpoint,
 * event); a delivery that ended is never claimed again; a retried activity makes the next attempt
 * of what is still PENDING (a POST the dead attempt made but did not record is re-sent with the
 * same delivery id, which receivers deduplicate on), and a delivery signalled twice to its
 * endpoint's workflow is kept once.
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
import { deliverWebhookEventWorkflow, endpointRetryWorkflowId, eventWorkflowId, retryDeliveriesSignal, type PendingDelivery } from '../workflows/webhook.workflow';
import { resolveWebhookOptions, type WebhookOptions } from './webhook-options';
import { deliveryRounds } from './webhook-round';

/** How long an endpoint's retry workflow waits for more deliveries once it has none left. */
const ENDPOINT_RETRY_LINGER_MS = 60_000;

export interface SignalFanOut {
  /** Plans the signals' deliveries, POSTs their first attempts, hands the rest to their endpoints' retries; resolves to the deliveries planned. */
  deliver(signalIds: string[]): Promise<number>;
}

export function signalFanOut(db: DataSource, log: Logger, options: WebhookOptions = {}, metrics?: WorkerMetrics): SignalFanOut {
  const rounds = deliveryRounds(db, log, options, metrics);
  const { retry } = resolveWebhookOptions(options);
  return {
    async deliver(signalIds) {
      const planned = await planSignalDeliveries(db, signalIds);
      if (planned.length === 0) return 0;
      const firstAt = Date.now();
      // No retries inside this round (giveUpAt = now): the activity that committed the signal
      // must not wait on a failing receiver; its endpoint's workflow retries it.
      const outcomes = await rounds.attempt({ deliveryIds: planned.map((p) => p.id), retry, giveUpAt: firstAt });
      const permanent = outcomes.filter((o): o is Extract<DeliveryAttemptOutcome, { verdict: 'permanent' }> => o.verdict === 'permanent');
      if (permanent.length > 0) await rounds.fail(permanent.map((o) => ({ deliveryId: o.deliveryId, reason: o.reason })));
      const attemptedAt = Date.now();
      const endpointOf = new Map(planned.map((p) => [p.id, p.endpointId]));
      const byEndpoint = new Map<string, PendingDelivery[]>();
      for (const o of outcomes) {
        if (o.verdict !== 'retry') continue;
        const endpointId = endpointOf.get(o.deliveryId)!;
        const pending = { id: o.deliveryId, attempts: o.attempt, nextAt: attemptedAt + (o.retryAfterMs ?? backoffMs(o.attempt, retry)), firstAt };
        byEndpoint.set(endpointId, [...(byEndpoint.get(endpointId) ?? []), pending]);
      }
      const client = Context.current().client;
      const taskQueue = siblingWorkflowQueue(activityInfo().taskQueue, deliverWebhookEventWorkflow);
      for (const [endpointId, pending] of byEndpoint) {
        await client.workflow.signalWithStart(deliverWebhookEventWorkflow, {
          taskQueue,
          workflowId: endpointRetryWorkflowId(endpointId),
          args: [{ deliveryIds: [], retry, lingerMs: ENDPOINT_RETRY_LINGER_MS }],
          signal: retryDeliveriesSignal,
          signalArgs: [pending],
        });
      }
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
async function startEventDeliveries(client: Client, fromQueue: string, planned: PlannedDelivery[], retry: WebhookRetryOptions): Promise<number> {
  const byEvent = new Map<string, string[]>();
  for (const d of planned) byEvent.set(d.eventKey, [...(byEvent.get(d.eventKey) ?? []), d.id]);
  for (const [eventKey, deliveryIds] of byEvent) {
    try {
      await client.workflow.start(deliverWebhookEventWorkflow, {
        taskQueue: siblingWorkflowQueue(fromQueue, deliverWebhookEventWorkflow),
        workflowId: eventWorkflowId(eventKey),
        args: [{ deliveryIds, retry }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return planned.length;
}
