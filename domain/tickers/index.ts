export { loadSp500Companies, normaliseTicker, normaliseCik, defaultInstruments, mergeInstruments } from './company';
export type { Company, AssetClass } from './company';
export { createTickerExtractor } from './extractor';
export type { TickerExtractor, TickerExtractionInput, TickerMention, TickerMatchSource } from './extractor';
export { findCiks } from './cik';
export { buildNameEntries, normaliseForMatching } from './names';
export type { NameEntry } from './names';
export { evaluateExtraction, formatExtractionReport } from './evaluation';
export type { LabelledHeadline, ExtractionReport, SourceScore } from './evaluation';
