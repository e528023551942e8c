/**
 * Feature flags as stored: the typed list of keys the code reads and the one cached reader,
 * for services and activities alike (services/feature-flags.service.ts changes them).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { FeatureFlag } from '../entities';

/**
 * Every flag the code reads, in one typed list: a reader names one of these or does not
 * compile. The initial migration seeds a row for each; a new key needs its row too. Admins may
 * still store other keys (setFeatureFlag), which no code reads.
 */
export const FLAG_KEYS = [
  /** Poll feeds on their schedules; off skips every poll. */
  'rss_polling',
  /** Score with the trained model; off scores with the lexicon. */
  'model_sentiment',
  /** Deliver new signals to subscribers; off refuses new signalCreated subscriptions. */
  'signal_subscriptions',
  /** Allow starting backtests; off refuses runBacktest. */
  'backtests',
] as const;
export type FlagKey = (typeof FLAG_KEYS)[number];

/**
 * The one answer for a flag that has no row: off. A feature runs only while a row says so, and
 * a deleted row switches its feature off rather than on.
 */
export const MISSING_FLAG_ENABLED = false;

/** Every process re-reads flags at least this often, so a change is live everywhere within 10 s. */
export const FLAG_CACHE_MS = 5000;

export interface FlagReadOptions {
  /**
   * Read the table now instead of trusting the cache (up to FLAG_CACHE_MS old): for checks
   * whose answer must follow a change at once, such as a poll deciding whether to fetch.
   */
  fresh?: boolean;
}

let readerCache: { at: number; flags: Map<string, boolean> } | null = null;

/**
 * The one flag reader, for services and activities (never workflow code: it reads the
 * database). A flag without a row reads as MISSING_FLAG_ENABLED.
 */
export async function isFeatureEnabled(db: DataSource | EntityManager, key: FlagKey, options: FlagReadOptions = {}): Promise<boolean> {
  return (await readFlags(db, options)).get(key) ?? MISSING_FLAG_ENABLED;
}

/** Every stored flag by key (cached for FLAG_CACHE_MS unless `fresh`); isFeatureEnabled answers for one. */
async function readFlags(db: DataSource | EntityManager, { fresh = false }: FlagReadOptions = {}): Promise<Map<string, boolean>> {
  if (!fresh && readerCache && Date.now() - readerCache.at < FLAG_CACHE_MS) return readerCache.flags;
  const rows = await db.getRepository(FeatureFlag).find({ select: { key: true, enabled: true } });
  readerCache = { at: Date.now(), flags: new Map(rows.map((r) => [r.key, r.enabled])) };
  return readerCache.flags;
}

/** Drops the cached flags: the next read goes to the table (after a change in this process). */
export function forgetCachedFlags(): void {
  readerCache = null;
}

export interface FlagValue {
  enabled: boolean;
  description: string;
}

/**
 * Changes one flag with its audit row, in one transaction: `next` gets the current value (null
 * when there is no row) under a row lock, so concurrent changes serialise and each audit row's
 * "old" is the true old. The cached flags are dropped afterwards.
 */
export async function changeFlag(db: DataSource, key: string, actorId: string, next: (old: FlagValue | null) => FlagValue): Promise<void> {
  await db.transaction(async (tx) => {
    const rows: FlagValue[] = await tx.query('SELECT enabled, description FROM feature_flags WHERE key = $1 FOR UPDATE', [key]);
    const old = rows[0] ?? null;
    const n = next(old);
    await tx.query(
      `INSERT INTO feature_flags (key, enabled, description, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (key) DO UPDATE SET enabled = EXCLUDED.enabled, description = EXCLUDED.description, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [key, n.enabled, n.description, actorId],
    );
    await tx.query(`INSERT INTO feature_flag_audit (flag_key, old_enabled, new_enabled, old_description, new_description, changed_by) VALUES ($1, $2, $3, $4, $5, $6)`, [
      key,
      old?.enabled ?? null,
      n.enabled,
      old?.description ?? null,
      n.description,
      actorId,
    ]);
  });
  forgetCachedFlags();
}

/** The flag's stored value read now (no cache), or undefined when it has no row. */
export async function storedFlag(db: DataSource, key: string): Promise<boolean | undefined> {
  const [flag] = (await db.query(`SELECT enabled FROM feature_flags WHERE key = $1`, [key])) as Array<{ enabled: boolean }>;
  return flag?.enabled;
}
