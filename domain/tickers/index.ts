export { loadSp500Companies, normaliseTicker, normaliseCik } from './company';
export type { Company } from './company';
export { createTickerExtractor } from './extractor';
export type { TickerExtractor, TickerExtractionInput, TickerMention, TickerMatchSource } from './extractor';
export { findCiks } from './cik';
export { buildNameEntries, normaliseForMatching } from './names';
export type { NameEntry } from './names';
