import type { TickerExtractionInput, TickerMention } from './extractor';

/** One hand-labelled headline: the tickers a careful reader says it is about. */
export interface LabelledHeadline {
  id: number;
  text: string;
  tickers: string[];
}

export interface SourceScore {
  /** Predicted (headline, ticker) pairs this source took part in. */
  predicted: number;
  /** Of those, how many are labelled. */
  correct: number;
  precision: number | null;
  /** Labelled pairs this source found, over all labelled pairs. */
  recall: number | null;
}

export interface ExtractionReport {
  headlines: number;
  labelled: number;
  overall: SourceScore;
  bySource: Record<string, SourceScore>;
  /** Wrong predictions and missed labels, for reading. */
  falsePositives: Array<{ id: number; ticker: string; matchedBy: string[] }>;
  falseNegatives: Array<{ id: number; ticker: string }>;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/**
 * Precision and recall of an extractor on labelled headlines (the headline is the title; no
 * summary). A prediction counts per source it was matched by, so a ticker found by both a
 * cashtag and its name adds to both sources' tallies; `overall` counts each pair once.
 */
export function evaluateExtraction(extract: (input: TickerExtractionInput) => TickerMention[], items: readonly LabelledHeadline[]): ExtractionReport {
  const tally = new Map<string, { predicted: number; correct: number; found: number }>();
  const bump = (source: string, correct: boolean) => {
    let t = tally.get(source);
    if (!t) tally.set(source, (t = { predicted: 0, correct: 0, found: 0 }));
    t.predicted++;
    if (correct) {
      t.correct++;
      t.found++;
    }
  };
  let labelled = 0;
  const falsePositives: ExtractionReport['falsePositives'] = [];
  const falseNegatives: ExtractionReport['falseNegatives'] = [];
  for (const item of items) {
    const gold = new Set(item.tickers);
    labelled += gold.size;
    const mentions = extract({ title: item.text });
    const predicted = new Set<string>();
    for (const m of mentions) {
      if (predicted.has(m.ticker)) continue;
      predicted.add(m.ticker);
      const ok = gold.has(m.ticker);
      bump('overall', ok);
      for (const source of m.matchedBy) bump(source, ok);
      if (!ok) falsePositives.push({ id: item.id, ticker: m.ticker, matchedBy: [...m.matchedBy] });
    }
    for (const t of gold) if (!predicted.has(t)) falseNegatives.push({ id: item.id, ticker: t });
  }
  const score = (t: { predicted: number; correct: number; found: number } | undefined): SourceScore => ({
    predicted: t?.predicted ?? 0,
    correct: t?.correct ?? 0,
    precision: ratio(t?.correct ?? 0, t?.predicted ?? 0),
    recall: ratio(t?.found ?? 0, labelled),
  });
  const bySource: Record<string, SourceScore> = {};
  for (const source of [...tally.keys()].filter((s) => s !== 'overall').sort()) bySource[source] = score(tally.get(source));
  return { headlines: items.length, labelled, overall: score(tally.get('overall')), bySource, falsePositives, falseNegatives };
}

export function formatExtractionReport(report: ExtractionReport): string {
  const pct = (x: number | null) => (x === null ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
  const line = (name: string, s: SourceScore) => `${name.padEnd(12)} ${String(s.predicted).padStart(5)} ${String(s.correct).padStart(5)}  ${pct(s.precision)}  ${pct(s.recall)}`;
  return [
    `${report.headlines} headlines, ${report.labelled} labelled (headline, ticker) pairs`,
    `${'source'.padEnd(12)} ${'pred'.padStart(5)} ${'right'.padStart(5)}  ${'prec'.padStart(6)}  ${'recall'.padStart(6)}`,
    ...Object.entries(report.bySource).map(([k, v]) => line(k, v)),
    line('overall', report.overall),
  ].join('\n');
}
