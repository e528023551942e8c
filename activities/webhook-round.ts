/**
 * One round of webhook attempts, shared by the delivery workflow's activity and by the activity
 * that commits an event (which makes the first attempt itself, right after the commit): claim the
 * next attempt of each delivery, POST to all receivers in parallel, record every answer in batched
 * statements, and tell the caller which deliveries are done and which to try again when.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { DEFAULT_USER_AGENT } from '../domain/feeds';
import { backoffMs, classifyStatus, retryAfterDelayMs, webhookHeaders } from '../domain/webhooks';
import type { WorkerMetrics } from '../observability/metrics';
import { claimAttempts, failDelivery, recordAttempts, type AttemptResult, type ClaimedAttempt, type Unclaimed } from '../store/webhook-delivery-store';
import { INLINE_RETRY_WINDOW_MS, type AttemptRoundInput, type DeliveryAttemptOutcome } from '../contracts';
import { postWebhook } from './webhook-http';
import { resolveWebhookOptions, type WebhookOptions } from './webhook-options';

/** Writes of a batch of results before the round gives up (and its activity is retried by Temporal). */
const RECORD_ATTEMPTS = 5;

/** POSTs in flight at once per round (the HTTP agent pools connections per receiver origin). */
const PARALLEL_POSTS = 64;

/**
 * Results are written in batches while a round is still running: each write takes every result
 * that arrived since the last one began, so a fast receiver's success is in the database within
 * a statement's time (and a worker that dies mid-round re-sends little) without one statement
 * per receiver.
 */
class AttemptRecorder {
  private buffer: AttemptResult[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failed: unknown;

  constructor(private readonly db: DataSource) {}

  add(result: AttemptResult): void {
    this.buffer.push(result);
    if (this.buffer.length === 1) this.writing = this.writing.then(() => this.flushNow());
  }

  private async flushNow(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;
    // The POSTs already happened: a failed write (a pool wait timing out under load) is tried
    // again here rather than failing the activity, whose retry would send them all again.
    for (let attempt = 1; ; attempt++) {
      try {
        await recordAttempts(this.db, batch);
        return;
      } catch (err) {
        if (attempt >= RECORD_ATTEMPTS) {
          this.failed ??= err;
          return;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  /** Waits for every write; throws the first failure (the activity is then retried and records again). */
  async done(): Promise<void> {
    await this.writing;
    await this.flushNow();
    if (this.failed) throw this.failed;
  }
}

function unclaimedOutcome(u: Unclaimed): DeliveryAttemptOutcome {
  return u.state === 'SUCCEEDED' ? { deliveryId: u.id, verdict: 'delivered', attempt: u.attempts } : { deliveryId: u.id, verdict: 'permanent', reason: u.reason };
}

export interface DeliveryRounds {
  /**
   * One round: the next attempt of each delivery, POSTed to all receivers in parallel, each
   * attempt recorded (status code, latency, error) and each delivery's state updated in batched
   * statements. Retries due before `giveUpAt` and within INLINE_RETRY_WINDOW_MS are made in the
   * round; the others come back as 'retry' outcomes. Idempotent: a delivery that already ended
   * is not sent again.
   */
  attempt(input: AttemptRoundInput): Promise<DeliveryAttemptOutcome[]>;
  /**
   * Deliveries that will not be retried: FAILED with their reason, one more failure in their
   * endpoints' streaks; at `disableAfter` an endpoint is disabled with the reason shown to its
   * owner. Idempotent (only a PENDING delivery counts).
   */
  fail(failures: Array<{ deliveryId: string; reason: string }>): Promise<{ endpointsDisabled: number }>;
}

export function deliveryRounds(db: DataSource, log: Logger, options: WebhookOptions = {}, metrics?: WorkerMetrics): DeliveryRounds {
  const o = resolveWebhookOptions(options);
  const userAgent = DEFAULT_USER_AGENT.replace('TidingsBot', 'TidingsWebhook');

  async function send(claim: ClaimedAttempt, recorder: AttemptRecorder): Promise<DeliveryAttemptOutcome> {
    const body = JSON.stringify({ id: claim.id, type: claim.eventType, attempt: claim.attempt, data: claim.payload });
    const headers = webhookHeaders({ deliveryId: claim.id, eventType: claim.eventType, secret: claim.secret, body });
    const startedAt = new Date();
    const result = await postWebhook(claim.url, body, headers, { policy: o.destinationPolicy, timeoutMs: o.retry.attemptTimeoutMs, maxResponseBytes: o.maxResponseBytes, userAgent });
    if (claim.attempt === 1 && claim.eventType === 'signal.created' && result.statusCode !== null) {
      // Signal committed -> first POST answered: the alert latency a trader sees.
      const createdAt = Date.parse(String(claim.payload.createdAt));
      if (Number.isFinite(createdAt)) metrics?.stageLatency('signal_to_webhook', (startedAt.getTime() + result.latencyMs - createdAt) / 1000);
    }
    const verdict = result.refused ? 'permanent' : result.statusCode === null ? 'retry' : classifyStatus(result.statusCode);
    recorder.add({ deliveryId: claim.id, attempt: claim.attempt, startedAt, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error, delivered: verdict === 'delivered' });
    const reason = result.error ?? `HTTP ${result.statusCode}`;
    if (verdict === 'delivered') return { deliveryId: claim.id, verdict, attempt: claim.attempt };
    if (verdict === 'permanent') return { deliveryId: claim.id, verdict, reason };
    const retryAfterMs = retryAfterDelayMs(result.retryAfterSeconds, o.retry);
    return { deliveryId: claim.id, verdict: 'retry', attempt: claim.attempt, reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }

  return {
    async attempt(input) {
      const roundStarted = Date.now();
      const retry = input.retry ?? o.retry;
      const inlineUntil = Math.min(roundStarted + INLINE_RETRY_WINDOW_MS, input.giveUpAt ?? Infinity);
      const { claimed, unclaimed } = await claimAttempts(db, input.deliveryIds);
      const outcomes: DeliveryAttemptOutcome[] = unclaimed.map(unclaimedOutcome);
      const recorder = new AttemptRecorder(db);
      const queue = [...claimed];
      const first: DeliveryAttemptOutcome[] = [];
      const lane = async () => {
        for (let claim = queue.shift(); claim; claim = queue.shift()) first.push(await send(claim, recorder));
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_POSTS, queue.length) }, lane));
      // A receiver to try again within the window (a short backoff or Retry-After): wait here and
      // send its next attempt, instead of a workflow timer round trip. Each retry claims its attempt.
      const retryInline = async (outcome: DeliveryAttemptOutcome): Promise<DeliveryAttemptOutcome> => {
        let current = outcome;
        while (current.verdict === 'retry') {
          const dueAt = Date.now() + (current.retryAfterMs ?? backoffMs(current.attempt, retry));
          if (dueAt > inlineUntil) break;
          await new Promise((r) => setTimeout(r, dueAt - Date.now()));
          const next = await claimAttempts(db, [current.deliveryId]);
          current = next.claimed.length > 0 ? await send(next.claimed[0], recorder) : unclaimedOutcome(next.unclaimed[0]);
        }
        return current;
      };
      const retrying = first.filter((f) => f.verdict === 'retry');
      if (retrying.length <= PARALLEL_POSTS) outcomes.push(...first.filter((f) => f.verdict !== 'retry'), ...(await Promise.all(retrying.map(retryInline))));
      else outcomes.push(...first);
      await recorder.done();
      return outcomes;
    },

    async fail(failures) {
      let endpointsDisabled = 0;
      for (const f of failures) {
        const endpoint = await failDelivery(db, f.deliveryId, f.reason, o.disableAfter);
        if (endpoint && !endpoint.enabled) {
          endpointsDisabled++;
          log.warn({ endpointId: endpoint.id, failures: endpoint.consecutiveFailures }, 'webhook endpoint disabled after repeated failures');
        }
      }
      return { endpointsDisabled };
    },
  };
}
