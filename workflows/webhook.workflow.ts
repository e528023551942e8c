import { ActivityFailure, ApplicationFailure, continueAsNew, proxyActivities, sleep, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import { INLINE_RETRY_WINDOW_MS, type DeliveryAttemptOutcome, type DeliveryOutcome, type WebhookDeliveryActivities } from '../contracts';
import { backoffMs, type WebhookRetryOptions } from '../domain/webhooks/policy';

/** Where a delivery stands between rounds (carried across continue-as-new, or from the first attempt made by the activity that committed the event). */
export interface PendingDelivery {
  id: string;
  /** HTTP attempts made so far (the last one's number). */
  attempts: number;
  /** Workflow time (ms) of its next attempt. */
  nextAt: number;
}

export interface EventDeliveryState {
  /** Epoch ms of the first round: retries end `retry.maxAgeMs` after it. */
  startedAt: number;
  pending: PendingDelivery[];
  outcomes: Record<string, DeliveryOutcome>;
}

export interface DeliverWebhookEventInput {
  deliveryIds: string[];
  retry: WebhookRetryOptions;
  /** Set by continue-as-new, or by the committing activity that made the first attempt itself. */
  state?: EventDeliveryState;
}

/** One workflow per event: its id, never reused, is what keeps an event's deliveries from starting twice. */
export const eventWorkflowId = (eventKey: string) => `webhook-event-${eventKey}`;

/** Receivers one activity POSTs to at most (all in parallel); a larger event takes several. */
const ROUND_SIZE = 200;
/** History events before continuing as new (a long retry schedule for many receivers). */
const MAX_HISTORY = 2000;

/**
 * Every delivery of one event (a signal to all matching endpoints, a feed alert to all
 * operators) in one workflow. For a signal, the activity that committed it has already made the
 * first attempts (activities/webhook-fanout.ts) and hands over only the deliveries to try again,
 * with their attempt counts and due times in `state`. Then: each round POSTs to all due receivers in parallel inside one
 * activity, which records each receiver's outcome in the database as it comes; only the failed
 * ones are tried again, each on its own schedule (exponential backoff, or the receiver's
 * Retry-After), waiting on durable timers, until it succeeds, a permanent 4xx stops it, or
 * `maxAgeMs` (24 h) after the first round it is given up. A worker that dies mid-round loses
 * that round's unrecorded attempts: the activity is retried on another worker and re-sends them
 * with the same delivery ids, which receivers deduplicate on.
 *
 * The per-delivery cost is a share of one workflow start, one activity task and a few batched
 * statements, instead of a workflow and an activity task of its own.
 */
export async function deliverWebhookEventWorkflow(input: DeliverWebhookEventInput): Promise<Record<string, DeliveryOutcome>> {
  const { retry } = input;
  const { failWebhookDeliveries } = proxyActivities<WebhookDeliveryActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const state: EventDeliveryState = input.state ?? {
    startedAt: Date.now(),
    pending: [...new Set(input.deliveryIds)].map((id) => ({ id, attempts: 0, nextAt: 0 })),
    outcomes: {},
  };
  const giveUpAt = state.startedAt + retry.maxAgeMs;
  const gaveUp = `gave up after ${Math.round(retry.maxAgeMs / 3_600_000)} h of retries`;

  while (state.pending.length > 0) {
    if (workflowInfo().historyLength > MAX_HISTORY) {
      return continueAsNew<typeof deliverWebhookEventWorkflow>({ deliveryIds: [], retry, state });
    }
    const now = Date.now();
    const due = state.pending.filter((p) => p.nextAt <= now);
    if (due.length === 0) {
      await sleep(Math.max(1, Math.min(...state.pending.map((p) => p.nextAt)) - now));
      continue;
    }
    const waiting = state.pending.filter((p) => p.nextAt > now);
    const failures: Array<{ deliveryId: string; reason: string }> = [];
    const rounds = [];
    for (let i = 0; i < due.length; i += ROUND_SIZE) rounds.push(due.slice(i, i + ROUND_SIZE));
    const results = await Promise.all(rounds.map((round) => attemptRound(round.map((p) => p.id), retry, giveUpAt)));
    const attemptedAt = Date.now();
    for (const outcome of results.flat()) {
      if ('failed' in outcome) {
        // The activity itself kept failing (database down for the whole attempt window): retry later.
        const p = due.find((d) => d.id === outcome.deliveryId)!;
        if (attemptedAt + retry.maxIntervalMs > giveUpAt) failures.push({ deliveryId: p.id, reason: outcome.failed });
        else waiting.push({ ...p, nextAt: attemptedAt + retry.maxIntervalMs });
        continue;
      }
      if (outcome.verdict === 'delivered') state.outcomes[outcome.deliveryId] = { status: 'SUCCEEDED', attempts: outcome.attempt };
      else if (outcome.verdict === 'permanent') failures.push({ deliveryId: outcome.deliveryId, reason: outcome.reason });
      else {
        const nextAt = attemptedAt + (outcome.retryAfterMs ?? backoffMs(outcome.attempt, retry));
        if (nextAt > giveUpAt) failures.push({ deliveryId: outcome.deliveryId, reason: gaveUp });
        else waiting.push({ id: outcome.deliveryId, attempts: outcome.attempt, nextAt });
      }
    }
    if (failures.length > 0) {
      await failWebhookDeliveries({ failures });
      for (const f of failures) state.outcomes[f.deliveryId] = { status: 'FAILED', reason: f.reason };
    }
    state.pending = waiting;
  }
  return state.outcomes;
}

type RoundOutcome = DeliveryAttemptOutcome | { deliveryId: string; failed: string };

/** One round's activity; its own failures (not the receivers') are retried by Temporal, then reported per delivery. */
async function attemptRound(deliveryIds: string[], retry: WebhookRetryOptions, giveUpAt: number): Promise<RoundOutcome[]> {
  const { attemptWebhookDeliveries } = proxyActivities<WebhookDeliveryActivities>({
    // All POSTs run in parallel, each capped at attemptTimeoutMs; retries due within a few
    // seconds are made in the round too (at most INLINE_RETRY_WINDOW_MS); the rest is a few statements.
    startToCloseTimeout: 2 * retry.attemptTimeoutMs + INLINE_RETRY_WINDOW_MS + 60_000,
    // The activity heartbeats every 2 s: a worker that dies mid-round is noticed in ~20 s. Not
    // less: a worker starved of CPU that misses its heartbeats has its round sent again.
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  try {
    return await attemptWebhookDeliveries({ deliveryIds, retry, giveUpAt });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    const reason = cause instanceof TimeoutFailure ? 'delivery round timed out' : cause instanceof ApplicationFailure ? cause.message : (cause?.message ?? err.message);
    return deliveryIds.map((deliveryId) => ({ deliveryId, failed: reason }));
  }
}
