import { createTickerExtractor, loadSp500Companies, type TickerExtractor } from '../domain/tickers';

let extractor: TickerExtractor | undefined;

/** Built once per process: the S&P 500 list compiled into one matcher (~tens of ms). */
export function sharedTickerExtractor(): TickerExtractor {
  extractor ??= createTickerExtractor(loadSp500Companies());
  return extractor;
}
