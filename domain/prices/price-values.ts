/**
 * Cell-level parsing for price files: timestamps in the shapes data vendors actually export,
 * and numbers with the decorations spreadsheets add. Every failure comes back as a reason a
 * person can act on rather than an exception, so one bad row never sinks a whole import.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

const ISO_LIKE =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const SLASH_OR_DOT = /^(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const DAY_MONTHNAME = /^(\d{1,2})[- ]([a-z]{3})[a-z]*[- ,]+(\d{4})$/i;
const MONTHNAME_DAY = /^([a-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})$/i;
const EPOCH = /^\d{9,13}$/;

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const date = new Date(t);
  // Date.UTC silently rolls 2021-02-30 into March; a price file with that date is corrupt.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date;
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/**
 * Timestamps without a zone are read as UTC: vendors' daily files carry no zone, and reading
 * them in the server's local zone would shift daily bars across midnight on some machines.
 * Day/month order for `01/02/2020` is US (month first) unless the first number cannot be a month.
 */
export function parseTimestamp(raw: string): Parsed<Date> {
  const text = raw.trim();
  const bad = (): Parsed<Date> => ({
    ok: false,
    reason: `date '${raw}' is not a recognised date/time (expected e.g. 2020-01-31 or 2020-01-31 15:00:00)`,
  });
  if (text === '') return { ok: false, reason: 'date is empty' };
  let m = ISO_LIKE.exec(text);
  if (m) {
    const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
    const d = utc(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, ms);
    if (!d) return bad();
    return { ok: true, value: new Date(d.getTime() - offsetMinutes(m[8]) * 60_000) };
  }
  if ((m = COMPACT_DATE.exec(text))) {
    const d = utc(+m[1], +m[2], +m[3]);
    return d ? { ok: true, value: d } : bad();
  }
  if (EPOCH.test(text)) {
    // 9-10 digits are seconds since 1970, 12-13 are milliseconds: the two ranges do not overlap for any plausible market date.
    const n = Number(text);
    return { ok: true, value: new Date(text.length <= 10 ? n * 1000 : n) };
  }
  if ((m = SLASH_OR_DOT.exec(text))) {
    const a = +m[1];
    const b = +m[3];
    const dayFirst = m[2] === '.' || a > 12;
    const d = utc(+m[4], dayFirst ? b : a, dayFirst ? a : b, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, m[7] ? +m[7] : 0);
    return d ? { ok: true, value: d } : bad();
  }
  if ((m = DAY_MONTHNAME.exec(text))) {
    const mo = MONTHS[m[2].toLowerCase()];
    const d = mo ? utc(+m[3], mo, +m[1]) : null;
    return d ? { ok: true, value: d } : bad();
  }
  if ((m = MONTHNAME_DAY.exec(text))) {
    const mo = MONTHS[m[1].toLowerCase()];
    const d = mo ? utc(+m[3], mo, +m[2]) : null;
    return d ? { ok: true, value: d } : bad();
  }
  return bad();
}

const SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

/** Accepts `1234.5`, `1,234.5`, `$12.3`, and volume abbreviations such as `1.2M`. */
export function parseNumber(raw: string): number | null {
  let text = raw.trim().replace(/^\$/, '');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  const suffix = /^(-?\d+(?:\.\d+)?)([kmb])$/i.exec(text);
  if (suffix) return Number(suffix[1]) * SUFFIX[suffix[2].toLowerCase()];
  if (text === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return null;
  return Number(text);
}
