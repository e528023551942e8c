/**
 * What a ticker symbol may look like wherever one is taken as input (price imports, webhook
 * filters, signal replays): 1-10 characters A-Z, 0-9, '.' or '-', starting with a letter, e.g.
 * SPY, BRK.B, BTC-USD. Callers upper-case and trim first.
 */
export const TICKER_SYMBOL = /^[A-Z][A-Z0-9.-]{0,9}$/;

export function isTickerSymbol(value: string): boolean {
  return TICKER_SYMBOL.test(value);
}
