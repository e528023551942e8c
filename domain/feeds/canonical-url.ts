import { createHash } from 'node:crypto';

/** Query parameters that identify a campaign or click, never the article. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'igshid', 'mc_cid', 'mc_eid', '_hsenc', '_hsmi', 'mkt_tok',
]);

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

/**
 * Resolves a link against a base and returns it only if it is an absolute http(s) URL;
 * javascript:, mailto: and unparsable links become null rather than being stored.
 */
export function resolveHttpUrl(link: string | null | undefined, ...bases: (string | null | undefined)[]): string | null {
  if (!link) return null;
  const trimmed = link.trim();
  if (!trimmed) return null;
  for (const base of [undefined, ...bases]) {
    if (base === null) continue;
    try {
      const url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch {
      // relative without a usable base yet: try the next one
    }
  }
  return null;
}

/**
 * One spelling per article URL so the same story from two feeds (or with a new utm tag) dedupes:
 * lower-case scheme/host (URL does that), no default port (URL does that), no fragment, no
 * tracking parameters, query sorted by name then value, and no trailing slash on a non-root path.
 * "www." and http/https are left alone: some sites serve different content on them.
 */
export function canonicalizeUrl(absoluteUrl: string): string {
  const url = new URL(absoluteUrl);
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  const kept = [...url.searchParams.entries()].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = '';
  for (const [name, value] of kept) url.searchParams.append(name, value);
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return url.href;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex');
}
