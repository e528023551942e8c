import { resolveSignalParams } from './signal-rules';
import type { SignalParamsOverrides } from './types';

/**
 * Bumped by hand whenever the rules' code changes meaning (a new feature, a changed formula).
 * Parameter changes need no bump: they change the hash below.
 */
// 2: a primary window without stories gets a price-only signal from fresh bars (README "No recent news").
export const SIGNAL_RULES_CODE_VERSION = 2;

/** FNV-1a over a string, 32 bits, as 8 hex digits (pure, deterministic, no crypto import needed). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Stable JSON: object keys sorted, so the same params always hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as Record<string, unknown>).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The version of the signal rules a signal was computed with: `r<code version>-<hash of the
 * resolved params>`. Two replays with the same rules version compute the same function.
 */
export function signalRulesVersion(overrides: SignalParamsOverrides = {}): string {
  return `r${SIGNAL_RULES_CODE_VERSION}-${fnv1a(stableJson(resolveSignalParams(overrides)))}`;
}

/**
 * Decision times of a replay in [from, to]: every bar close (a bar's stamp is when it counts, see
 * README "Point in time") plus, for intraday replays, every article arrival. Sorted, unique, ms.
 */
export function replayDecisionTimes(barTimes: ArrayLike<number>, articleTimes: ArrayLike<number>, from: number, to: number, intraday: boolean): number[] {
  const set = new Set<number>();
  for (let i = 0; i < barTimes.length; i++) if (barTimes[i] >= from && barTimes[i] <= to) set.add(barTimes[i]);
  if (intraday) for (let i = 0; i < articleTimes.length; i++) if (articleTimes[i] >= from && articleTimes[i] <= to) set.add(articleTimes[i]);
  return [...set].sort((a, b) => a - b);
}
