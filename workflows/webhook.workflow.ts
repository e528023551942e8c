import { ActivityFailure, ApplicationFailure, condition, continueAsNew, defineSignal, proxyActivities, setHandler, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import { INLINE_RETRY_WINDOW_MS, type DeliveryAttemptOutcome, type DeliveryOutcome, type WebhookDeliveryActivities } from '../contracts';
import { backoffMs, type WebhookRetryOptions } from '../domain/webhooks/policy';

/** Where a delivery stands between rounds (carried across continue-as-new, or handed over after attempts made elsewhere). */
export interface PendingDelivery {
  id: string;
  /** HTTP attempts made so far (the last one's number). */
  attempts: number;
  /** Workflow time (ms) of its next attempt. */
  nextAt: number;
  /** Epoch ms of its first attempt, when it differs from the workflow's `startedAt` (a delivery handed to an endpoint's retries). */
  firstAt?: number;
}

export interface EventDeliveryState {
  /** Epoch ms of the first round: a delivery's retries end `retry.maxAgeMs` after it (or after its own `firstAt`). */
  startedAt: number;
  pending: PendingDelivery[];
  outcomes: Record<string, DeliveryOutcome>;
}

export interface DeliverWebhookEventInput {
  deliveryIds: string[];
  retry: WebhookRetryOptions;
  /** Set by continue-as-new, or by whoever made the first attempts and hands over the rest. */
  state?: EventDeliveryState;
  /**
   * An endpoint's retries (`endpointRetryWorkflowId`): deliveries arrive by the `retryDeliveries`
   * signal at any time; with nothing left to send the workflow waits this long for more before it
   * ends (the next signal-with-start begins a new run). Outcomes are not kept (they are in the
   * database), so its state stays as small as its pending list.
   */
  lingerMs?: number;
}

/** More deliveries for an endpoint's retry workflow (deduplicated by id). */
export const retryDeliveriesSignal = defineSignal<[PendingDelivery[]]>('retryDeliveries');

/** One workflow per event: its id, never reused, is what keeps an event's deliveries from starting twice. */
export const eventWorkflowId = (eventKey: string) => `webhook-event-${eventKey}`;

/**
 * One retry workflow per endpoint: every delivery to it that must be tried again, whatever its
 * event. A receiver that is down then costs one timer and one round per backoff step for all of
 * its deliveries together, instead of a workflow per event that it failed.
 */
export const endpointRetryWorkflowId = (endpointId: string) => `webhook-endpoint-${endpointId}`;

/** Receivers one activity POSTs to at most (all in parallel); a larger event takes several. */
const ROUND_SIZE = 200;
/** History events before continuing as new (a long retry schedule for many receivers). */
const MAX_HISTORY = 2000;

/**
 * Webhook deliveries in rounds, until each succeeds, a permanent 4xx stops it, or `maxAgeMs`
 * (24 h) after its first attempt it is given up. Two uses:
 *  - every delivery of one event (an operator alert, a replay): the first round goes to all of them;
 *  - the retries of one endpoint (`lingerMs` set): the activity that committed a signal made the
 *    first attempts itself (activities/webhook-fanout.ts) and signals (with start) only the
 *    deliveries to try again, with their attempt counts and due times.
 * Each round POSTs to all due receivers in parallel inside one activity, which records each
 * receiver's outcome in the database as it comes; only the failed ones are tried again, each on
 * its own schedule (exponential backoff, or the receiver's Retry-After), on durable timers. A
 * worker that dies mid-round loses that round's unrecorded attempts: the activity is retried on
 * another worker and re-sends them with the same delivery ids, which receivers deduplicate on.
 */
export async function deliverWebhookEventWorkflow(input: DeliverWebhookEventInput): Promise<Record<string, DeliveryOutcome>> {
  const { retry, lingerMs } = input;
  const { failWebhookDeliveries } = proxyActivities<WebhookDeliveryActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const state: EventDeliveryState = input.state ?? {
    startedAt: Date.now(),
    pending: [...new Set(input.deliveryIds)].map((id) => ({ id, attempts: 0, nextAt: 0 })),
    outcomes: {},
  };
  let arrived = false;
  setHandler(retryDeliveriesSignal, (more) => {
    for (const d of more) {
      if (state.pending.some((p) => p.id === d.id) || state.outcomes[d.id]) continue;
      state.pending.push(d);
      arrived = true;
    }
  });
  const giveUpAtOf = (p: PendingDelivery) => (p.firstAt ?? state.startedAt) + retry.maxAgeMs;
  const gaveUp = `gave up after ${Math.round(retry.maxAgeMs / 3_600_000)} h of retries`;
  const record = (id: string, outcome: DeliveryOutcome) => {
    if (lingerMs === undefined) state.outcomes[id] = outcome;
  };

  for (;;) {
    if (state.pending.length === 0) {
      // An event's workflow is done; an endpoint's waits a while for more before it ends.
      if (lingerMs === undefined || !(await condition(() => state.pending.length > 0, lingerMs))) break;
    }
    if (workflowInfo().historyLength > MAX_HISTORY) {
      return continueAsNew<typeof deliverWebhookEventWorkflow>({ deliveryIds: [], retry, lingerMs, state });
    }
    const now = Date.now();
    const due = state.pending.filter((p) => p.nextAt <= now);
    if (due.length === 0) {
      // Until the next one is due, or a signal brings one that may be due sooner.
      arrived = false;
      await condition(() => arrived, Math.max(1, Math.min(...state.pending.map((p) => p.nextAt)) - now));
      continue;
    }
    const dueIds = new Set(due.map((p) => p.id));
    const failures: Array<{ deliveryId: string; reason: string }> = [];
    const rounds = [];
    for (let i = 0; i < due.length; i += ROUND_SIZE) rounds.push(due.slice(i, i + ROUND_SIZE));
    const results = await Promise.all(rounds.map((round) => attemptRound(round.map((p) => p.id), retry, Math.min(...round.map(giveUpAtOf)))));
    const attemptedAt = Date.now();
    // Deliveries signalled during the round are kept; the round's own are replaced by their outcomes.
    const next = state.pending.filter((p) => !dueIds.has(p.id));
    for (const outcome of results.flat()) {
      const p = due.find((d) => d.id === outcome.deliveryId)!;
      const giveUpAt = giveUpAtOf(p);
      if ('failed' in outcome) {
        // The activity itself kept failing (database down for the whole attempt window): retry later.
        if (attemptedAt + retry.maxIntervalMs > giveUpAt) failures.push({ deliveryId: p.id, reason: outcome.failed });
        else next.push({ ...p, nextAt: attemptedAt + retry.maxIntervalMs });
        continue;
      }
      if (outcome.verdict === 'delivered') record(outcome.deliveryId, { status: 'SUCCEEDED', attempts: outcome.attempt });
      else if (outcome.verdict === 'permanent') failures.push({ deliveryId: outcome.deliveryId, reason: outcome.reason });
      else {
        const nextAt = attemptedAt + (outcome.retryAfterMs ?? backoffMs(outcome.attempt, retry));
        if (nextAt > giveUpAt) failures.push({ deliveryId: outcome.deliveryId, reason: gaveUp });
        else next.push({ ...p, attempts: outcome.attempt, nextAt });
      }
    }
    if (failures.length > 0) {
      await failWebhookDeliveries({ failures });
      for (const f of failures) record(f.deliveryId, { status: 'FAILED', reason: f.reason });
    }
    state.pending = next;
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
