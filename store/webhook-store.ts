/**
 * Webhook endpoints and deliveries as the API reads and replays them (services/webhook.service.ts).
 * Delivery planning and attempts (the worker side) are the webhook delivery activities'.
 */
import type { DataSource } from 'typeorm';
import type { WebhookDelivery, WebhookDeliveryStatus } from '../entities';

export async function countEndpointsOf(db: DataSource, ownerId: string): Promise<number> {
  const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM webhook_endpoints WHERE owner_id = $1', [ownerId])) as Array<{ n: number }>;
  return n;
}

export interface DeliveryFilter {
  /** Only endpoints of this owner; all owners when unset. */
  ownerId?: string;
  endpointId?: string;
  status?: WebhookDeliveryStatus;
}

/** Deliveries newest first, after the cursor position, at most `limit`. */
export async function deliveryPage(db: DataSource, filter: DeliveryFilter, limit: number, after?: { time: string; id: string }): Promise<WebhookDelivery[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where: string[] = [];
  if (filter.ownerId !== undefined) where.push(`e.owner_id = ${p(filter.ownerId)}`);
  if (filter.endpointId) where.push(`d.endpoint_id = ${p(filter.endpointId)}`);
  if (filter.status) where.push(`d.status = ${p(filter.status)}`);
  if (after) where.push(`(d.created_at, d.id) < (${p(after.time)}::timestamptz, ${p(after.id)}::uuid)`);
  return (await db.query(
    `SELECT d.id, d.endpoint_id AS "endpointId", d.event_type AS "eventType", d.event_key AS "eventKey", d.payload, d.status, d.attempts AS "attemptCount",
            d.last_status_code AS "lastStatusCode", d.last_error AS "lastError", d.replay_of AS "replayOf", d.created_at AS "createdAt", d.completed_at AS "completedAt"
     FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY d.created_at DESC, d.id DESC LIMIT ${p(limit)}`,
    params,
  )) as WebhookDelivery[];
}

/** A new delivery of the same event (same body data) under `eventKey`; its id. */
export async function insertReplayDelivery(db: DataSource, original: WebhookDelivery, eventKey: string): Promise<string> {
  const [row] = (await db.query(`INSERT INTO webhook_deliveries (endpoint_id, event_type, event_key, payload, replay_of) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id`, [
    original.endpointId,
    original.eventType,
    eventKey,
    JSON.stringify(original.payload),
    original.id,
  ])) as Array<{ id: string }>;
  return row.id;
}
