/**
 * Feed dates by hand rather than Date.parse: V8's parser is lenient in undocumented ways
 * ("2" is a year, unknown zones are silently local time), and a wrong date is worse than an
 * estimated one because signals are time-aligned.
 */

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** Offsets in minutes. North-American names per RFC 822, plus the ones seen in real feeds. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600,
  BST: 60, IST: 330, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, WEST: 60,
  MSK: 180, JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480, ACST: 570, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
};

const RFC822 =
  /^(?:[A-Za-z]{2,9}\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{2}|\d{4})(?:,?\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:([+-])(\d{2}):?(\d{2})|\(?([A-Za-z]{1,5})\)?)?(?:\s*\([^)]*\))?$/;

const ISO8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Returns null when the string is not a date we can read with confidence. Dates without a zone are taken as UTC. */
export function parseFeedDate(input: string | null | undefined): Date | null {
  if (!input) return null;
  const s = input.trim().replace(/\s+/g, ' ');
  if (!s || s.length > 80) return null;
  return parseIso(s) ?? parseRfc822(s);
}

function parseIso(s: string): Date | null {
  const m = ISO8601.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let offset = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offset = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3] ?? 0));
  }
  return build(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms, offset);
}

function parseRfc822(s: string): Date | null {
  const m = RFC822.exec(s);
  if (!m) return null;
  const [, d, monthName, yearText, h, mi, sec = '0', sign, oh, om, zoneName] = m;
  const month = MONTHS[monthName!.slice(0, 3).toLowerCase()];
  if (month === undefined) return null;
  let year = Number(yearText);
  // RFC 2822's rule for two-digit years.
  if (yearText!.length === 2) year += year < 50 ? 2000 : 1900;
  let offset = 0;
  if (sign) offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  else if (zoneName) {
    const known = ZONES[zoneName.toUpperCase()];
    // Single-letter military zones were famously misdocumented; RFC 2822 says treat them as UTC.
    if (known === undefined && zoneName.length !== 1) return null;
    offset = known ?? 0;
  }
  return build(year, month, Number(d), Number(h), Number(mi), Number(sec), 0, offset);
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number): Date | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  if (h === 24 && (mi > 0 || s > 0)) return null;
  const secs = Math.min(s, 59); // a leap second lands on :59
  const utc = Date.UTC(y, mo, d, h, mi, secs, ms);
  // Reject 31 Feb and friends instead of letting Date roll them into March.
  const check = new Date(Date.UTC(y, mo, d));
  if (check.getUTCMonth() !== mo || check.getUTCDate() !== d) return null;
  const date = new Date(utc - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}
