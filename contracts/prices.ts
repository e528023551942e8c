/** Output of a price-source fetch (workflows/prices.workflow.ts and its activity). */

export interface TickerPriceResult {
  ticker: string;
  inserted: number;
  updated: number;
  rejected: number;
  error?: string;
}

export interface PriceFetchResult {
  sourceId: string;
  /** Tickers whose bars changed (new or corrected): their signals are recomputed. */
  changedTickers: string[];
  results: TickerPriceResult[];
}
