/**
 * Price source URL templates (pure): `{ticker}` is replaced by the ticker as followed (e.g.
 * BRK.B), `{ticker_lower}` by its lower-case form (stooq writes `aapl.us`), both URL-encoded.
 */
const PLACEHOLDER = /\{([a-z_]+)\}/g;
const KNOWN = new Set(['ticker', 'ticker_lower']);

export class UrlTemplateError extends Error {
  override readonly name = 'UrlTemplateError';
}

export function validateUrlTemplate(template: string): string {
  const trimmed = template.trim();
  const names = [...trimmed.matchAll(PLACEHOLDER)].map((m) => m[1]);
  if (names.length === 0) throw new UrlTemplateError('the URL template needs a {ticker} (or {ticker_lower}) placeholder');
  const unknown = names.find((n) => !KNOWN.has(n));
  if (unknown) throw new UrlTemplateError(`unknown placeholder {${unknown}}; use {ticker} or {ticker_lower}`);
  let url: URL;
  try {
    url = new URL(expandUrlTemplate(trimmed, 'AAPL'));
  } catch {
    throw new UrlTemplateError(`"${trimmed.slice(0, 200)}" is not a URL once {ticker} is filled in`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlTemplateError('price source URLs must be http or https');
  if (url.username || url.password) throw new UrlTemplateError('price source URLs must not carry credentials');
  return trimmed;
}

export function expandUrlTemplate(template: string, ticker: string): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'ticker') return encodeURIComponent(ticker);
    if (name === 'ticker_lower') return encodeURIComponent(ticker.toLowerCase());
    return whole;
  });
}
