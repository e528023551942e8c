/**
 * Webhook deliveries in PostgreSQL: planning them (one row per event and endpoint, the body fixed
 * once), claiming a round of attempts, recording what each receiver answered, and failing the
 * ones that will not be retried. Every statement works on many deliveries at once, so a round to
 * a hundred receivers costs two or three statements, not two hundred.
 *
 * Exactly once per receiver: rows are unique per (endpoint, event), a delivery that SUCCEEDED or
 * FAILED is never claimed again, and receivers deduplicate on the delivery id a re-sent attempt
 * (after a worker died mid-round) carries.
 */
import type { Queryable } from '../events/publish';

/** A delivery planned for an event: its id, the event it belongs to, and the endpoint it goes to. */
export interface PlannedDelivery {
  id: string;
  eventKey: string;
  endpointId: string;
}

/**
 * Deliveries of `signal.created` for the given signals to every enabled SIGNALS endpoint whose
 * filter matches and that existed when the signal was stored. Returns the ones still PENDING
 * (new, or planned by an earlier attempt that died before starting their workflow).
 */
export async function planSignalDeliveries(db: Queryable, signalIds: string[]): Promise<PlannedDelivery[]> {
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
       RETURNING id, event_key, endpoint_id
     )
     SELECT id, event_key, endpoint_id FROM inserted
     UNION ALL
     SELECT d.id, d.event_key, d.endpoint_id FROM matched m JOIN webhook_deliveries d ON d.endpoint_id = m.endpoint_id AND d.event_key = m.event_key WHERE d.status = 'PENDING'`,
    [signalIds],
  )) as DeliveryRow[];
  return dedupe(rows);
}

/**
 * When a feed has failed `threshold` polls in a row and operators have not been told yet: marks
 * it alerted and plans a `feed.failing` delivery to every enabled OPERATOR endpoint, in one
 * statement. Also returns alert deliveries of this feed still PENDING (an earlier attempt may
 * have planned them and died before starting their workflow).
 */
export async function planFeedAlert(db: Queryable, feedId: string, threshold: number): Promise<PlannedDelivery[]> {
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
       RETURNING id, event_key, endpoint_id
     )
     SELECT id, event_key, endpoint_id FROM inserted
     UNION ALL
     SELECT d.id, d.event_key, d.endpoint_id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.kind = 'OPERATOR'
     WHERE d.event_key LIKE 'feed-failing:' || $1 || ':%' AND d.status = 'PENDING'`,
    [feedId, threshold],
  )) as DeliveryRow[];
  return dedupe(rows);
}

type DeliveryRow = { id: string; event_key: string; endpoint_id: string };

function dedupe(rows: DeliveryRow[]): PlannedDelivery[] {
  const byId = new Map(rows.map((r) => [r.id, { id: r.id, eventKey: r.event_key, endpointId: r.endpoint_id }]));
  return [...byId.values()];
}

/** An attempt claimed for sending: its number (counted in the row before the POST) and what to send where. */
export interface ClaimedAttempt {
  id: string;
  attempt: number;
  eventType: string;
  payload: Record<string, unknown>;
  url: string;
  secret: string;
}

/** Why a delivery was not claimed. */
export type Unclaimed = { id: string; state: 'SUCCEEDED'; attempts: number } | { id: string; state: 'FAILED' | 'DISABLED' | 'MISSING'; reason: string };

/**
 * Claims the next attempt of each PENDING delivery whose endpoint is enabled: its attempt count
 * goes up before anything is sent, and an attempt row says "interrupted" until its result is
 * recorded, so an attempt lost with a worker is still counted and a re-send gets a new number.
 */
export async function claimAttempts(db: Queryable, deliveryIds: string[]): Promise<{ claimed: ClaimedAttempt[]; unclaimed: Unclaimed[] }> {
  const claimed = (await db.query(
    `WITH claimed AS (
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1
       FROM webhook_endpoints e
       WHERE d.id = ANY($1::uuid[]) AND d.status = 'PENDING' AND e.id = d.endpoint_id AND e.enabled
       RETURNING d.id, d.attempts, d.event_type, d.payload, e.url, e.secret
     ), started AS (
       INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, latency_ms, error)
       SELECT id, attempts, now(), 0, 'no result recorded: the worker stopped during the attempt' FROM claimed
       ON CONFLICT (delivery_id, attempt) DO NOTHING
     )
     SELECT id, attempts, event_type, payload, url, secret FROM claimed`,
    [deliveryIds],
  )) as Array<{ id: string; attempts: number; event_type: string; payload: Record<string, unknown>; url: string; secret: string }>;
  const claimedIds = new Set(claimed.map((c) => c.id));
  const rest = deliveryIds.filter((id) => !claimedIds.has(id));
  const unclaimed: Unclaimed[] = [];
  if (rest.length > 0) {
    const rows = (await db.query(
      `SELECT d.id, d.status, d.attempts, d.last_error, e.enabled, e.disabled_reason
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ANY($1::uuid[])`,
      [rest],
    )) as Array<{ id: string; status: string; attempts: number; last_error: string | null; enabled: boolean; disabled_reason: string | null }>;
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of rest) {
      const row = found.get(id);
      if (!row) unclaimed.push({ id, state: 'MISSING', reason: 'the delivery or its endpoint no longer exists' });
      else if (row.status === 'SUCCEEDED') unclaimed.push({ id, state: 'SUCCEEDED', attempts: row.attempts });
      else if (row.status === 'FAILED') unclaimed.push({ id, state: 'FAILED', reason: 'the delivery already failed' });
      else unclaimed.push({ id, state: 'DISABLED', reason: `endpoint disabled: ${row.disabled_reason ?? 'by its owner'}` });
    }
  }
  return {
    claimed: claimed.map((c) => ({ id: c.id, attempt: c.attempts, eventType: c.event_type, payload: c.payload, url: c.url, secret: c.secret })),
    unclaimed,
  };
}

/** What one attempt got back. */
export interface AttemptResult {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  delivered: boolean;
}

/**
 * Records many attempts' results in one statement: each attempt row, each delivery's last status
 * (SUCCEEDED when delivered), and a reset failure streak on the endpoints that received one.
 * Idempotent: the attempt row is keyed by (delivery, attempt) and only PENDING deliveries change.
 */
export async function recordAttempts(db: Queryable, results: AttemptResult[]): Promise<void> {
  if (results.length === 0) return;
  await db.query(
    `WITH r AS (
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::boolean[])
         AS r(delivery_id, attempt, started_at, status_code, latency_ms, error, delivered)
     ), attempt AS (
       INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error)
       SELECT delivery_id, attempt, started_at, status_code, latency_ms, error FROM r
       ON CONFLICT (delivery_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at, status_code = EXCLUDED.status_code, latency_ms = EXCLUDED.latency_ms, error = EXCLUDED.error
     ), delivery AS (
       UPDATE webhook_deliveries d SET attempts = GREATEST(d.attempts, r.attempt), last_status_code = r.status_code, last_error = r.error,
         status = CASE WHEN r.delivered THEN 'SUCCEEDED' ELSE d.status END,
         completed_at = CASE WHEN r.delivered THEN now() ELSE d.completed_at END
       FROM r WHERE d.id = r.delivery_id AND d.status = 'PENDING'
       RETURNING d.endpoint_id, r.delivered
     )
     UPDATE webhook_endpoints SET consecutive_failures = 0, last_success_at = now()
     WHERE id IN (SELECT endpoint_id FROM delivery WHERE delivered)`,
    [
      results.map((r) => r.deliveryId),
      results.map((r) => r.attempt),
      results.map((r) => r.startedAt.toISOString()),
      results.map((r) => r.statusCode),
      results.map((r) => r.latencyMs),
      results.map((r) => r.error),
      results.map((r) => r.delivered),
    ],
  );
}

/**
 * A delivery that will not be retried: FAILED with its reason, and one more failure in its
 * endpoint's streak; at `disableAfter` the endpoint is disabled with the reason shown to its
 * owner. Idempotent (only a PENDING delivery counts). Returns the endpoint when it was disabled.
 */
export async function failDelivery(db: Queryable, deliveryId: string, reason: string, disableAfter: number): Promise<{ id: string; enabled: boolean; consecutiveFailures: number } | null> {
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
    [deliveryId, reason.slice(0, 1000), disableAfter],
  )) as [Array<{ id: string; enabled: boolean; consecutive_failures: number }>, number] | Array<{ id: string; enabled: boolean; consecutive_failures: number }>;
  const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Array<{ id: string; enabled: boolean; consecutive_failures: number }>;
  const endpoint = list[0];
  return endpoint ? { id: endpoint.id, enabled: endpoint.enabled, consecutiveFailures: endpoint.consecutive_failures } : null;
}
