/**
 * Starting webhook deliveries from any activity that commits an event: plan the rows (store),
 * then start one `deliverWebhookEventWorkflow` per event on the alerts queue. Both halves are
 * idempotent, so the activity can run them again after a crash: rows are unique per (endpoint,
 * event), and the workflow id (`webhook-event-<event key>`) is never reused, so an event's
 * deliveries already running or finished are not started twice.
 */
import { activityInfo, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { siblingWorkflowQueue } from '../domain/task-queues';
import type { WebhookRetryOptions } from '../domain/webhooks';
import { planFeedAlert, planSignalDeliveries, type PlannedDelivery } from '../store/webhook-delivery-store';
import { deliverWebhookEventWorkflow, eventWorkflowId } from '../workflows/webhook.workflow';
import { resolveWebhookOptions, type WebhookOptions } from './webhook-options';

/** Plans and starts the deliveries of these signals (the worker's client; the alerts queue beside the activity's). */
export async function fanOutSignals(db: DataSource, signalIds: string[], options: WebhookOptions): Promise<number> {
  return startEventDeliveries(Context.current().client, activityInfo().taskQueue, await planSignalDeliveries(db, signalIds), resolveWebhookOptions(options).retry);
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
  let started = 0;
  for (const [eventKey, deliveryIds] of byEvent) {
    try {
      await client.workflow.start(deliverWebhookEventWorkflow, {
        taskQueue: siblingWorkflowQueue(fromQueue, deliverWebhookEventWorkflow),
        workflowId: eventWorkflowId(eventKey),
        args: [{ deliveryIds, retry }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      started += deliveryIds.length;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return started;
}
