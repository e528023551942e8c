/**
 * Webhook signatures (pure): HMAC-SHA256 with the endpoint's secret over `<timestamp>.<body>`,
 * sent as `Tidings-Webhook-Signature: v1=<hex>` beside `Tidings-Webhook-Timestamp` (Unix
 * seconds) and `Tidings-Webhook-Id` (the delivery id, the same on every retry of a delivery).
 * A receiver recomputes the HMAC over the raw body, compares in constant time, rejects
 * timestamps older than its tolerance (replay protection) and deduplicates on the id.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'tidings-webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'tidings-webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'tidings-webhook-signature';
export const WEBHOOK_EVENT_HEADER = 'tidings-webhook-event';
/** Receivers should refuse deliveries signed longer ago than this (seconds). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new signing secret: `whsec_` and 32 random bytes, base64url. Shown once. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

export function webhookHeaders(input: { deliveryId: string; eventType: string; secret: string; body: string; now?: Date }): Record<string, string> {
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    'content-type': 'application/json',
    [WEBHOOK_ID_HEADER]: input.deliveryId,
    [WEBHOOK_EVENT_HEADER]: input.eventType,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(input.secret, timestamp, input.body),
  };
}

export type VerifyResult = { ok: true; deliveryId: string; timestamp: number } | { ok: false; reason: string };

/**
 * What a receiver does (and what the tests' receivers do): headers by lower-case name, the raw
 * body as received. Several `v1=` values (comma-separated) are accepted, for secret rotation.
 */
export function verifyWebhook(input: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  now?: Date;
  toleranceSeconds?: number;
}): VerifyResult {
  const header = (name: string) => {
    const v = input.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = header(WEBHOOK_ID_HEADER);
  const rawTimestamp = header(WEBHOOK_TIMESTAMP_HEADER);
  const signature = header(WEBHOOK_SIGNATURE_HEADER);
  if (!id || !rawTimestamp || !signature) return { ok: false, reason: 'missing webhook headers' };
  if (!/^\d{1,12}$/.test(rawTimestamp)) return { ok: false, reason: 'malformed timestamp' };
  const timestamp = Number(rawTimestamp);
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: `timestamp outside the ${tolerance} s tolerance` };
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const matches = signature.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, deliveryId: id, timestamp } : { ok: false, reason: 'signature does not match' };
}
