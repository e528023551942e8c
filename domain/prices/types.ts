/** One OHLC(V) bar. `time` is the bar's timestamp as given by the source (naive timestamps are read as UTC). */
export interface PriceBar {
  time: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  /** null when the source has no volume column or leaves the cell empty (e.g. an index such as VIX). */
  volume: number | null;
}

export interface RejectedPriceRow {
  /** 1-based line number in the file as a person would see it in an editor. */
  line: number;
  reason: string;
}

export interface ParsedPrices {
  bars: PriceBar[];
  /** The rejected rows with the lowest line numbers (at most `maxRejected`), in line order. */
  rejected: RejectedPriceRow[];
  /** How many rows were rejected in all. */
  rejectedCount: number;
  /** Human-readable description of what was detected, e.g. "tsv; columns date,open,high,low,close,volume; ignored adj close; newest-first". */
  format: string;
}

export interface ParsePriceCsvOptions {
  /** For files with a ticker/symbol column: keep only this ticker's rows (required when the file holds several). */
  ticker?: string;
  /** Report at most this many rejected rows (the first by line); `rejectedCount` still counts them all. Default: all. */
  maxRejected?: number;
  /** Read with this delimiter instead of detecting one (a price source's fixed format). */
  delimiter?: ',' | '\t' | ';';
}
