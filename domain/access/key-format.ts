/**
 * API keys as text: their format, generation, parsing and constant-time check. Pure (node:crypto
 * only), so the services that store keys and the API that reads them from headers share it.
 */
import crypto from 'node:crypto';

/** Recognisable in logs, configs and secret scanners; never part of what is stored. */
export const KEY_PREFIX = 'tdg_';
const LOOKUP_BYTES = 12;
const SECRET_BYTES = 32;
// hex lookup id (no "_" inside), then a base64url secret (which may contain "_" or "-").
const KEY_PATTERN = /^tdg_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

export interface ParsedKey {
  lookupId: string;
  secret: Buffer;
}

export function generateApiKey(): { key: string; lookupId: string; secretHash: Buffer } {
  const lookupId = crypto.randomBytes(LOOKUP_BYTES).toString('hex');
  const secret = crypto.randomBytes(SECRET_BYTES);
  return { key: `${KEY_PREFIX}${lookupId}_${secret.toString('base64url')}`, lookupId, secretHash: hashSecret(secret) };
}

/** null for anything that is not a well-formed key, so garbage never reaches the database. */
export function parseApiKey(raw: string | undefined | null): ParsedKey | null {
  if (!raw) return null;
  const m = KEY_PATTERN.exec(raw.trim());
  if (!m) return null;
  const secret = Buffer.from(m[2], 'base64url');
  if (secret.length !== SECRET_BYTES) return null;
  return { lookupId: m[1], secret };
}

/** Accepts "Bearer <key>" (HTTP header, graphql-ws connectionParams) or the bare key. */
export function keyFromAuthorization(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const m = /^Bearer\s+(\S+)$/i.exec(v);
  return m ? m[1] : v || null;
}

/**
 * A 32-byte random secret needs no slow hash: SHA-256 preimages are out of reach. One-shot
 * `crypto.hash` (Node >= 20.12): a third of createHash's cost, paid on every API request.
 */
export function hashSecret(secret: Buffer): Buffer {
  return crypto.hash('sha256', secret, 'buffer');
}

export function secretMatches(secret: Buffer, storedHash: Buffer): boolean {
  const h = hashSecret(secret);
  return h.length === storedHash.length && crypto.timingSafeEqual(h, storedHash);
}
