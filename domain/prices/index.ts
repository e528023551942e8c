export type { PriceBar, RejectedPriceRow, ParsedPrices, ParsePriceCsvOptions } from './types';
export { parsePriceCsv, parsePriceCsvSteps } from './parse-price-csv';
export { parseTimestamp, parseNumber } from './price-values';
export { expandUrlTemplate, validateUrlTemplate, UrlTemplateError } from './url-template';
