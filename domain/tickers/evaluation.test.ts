import fs from 'node:fs';
import path from 'node:path';
import { defaultInstruments, loadSp500Companies, mergeInstruments } from './company';
import { createTickerExtractor } from './extractor';
import { evaluateExtraction, formatExtractionReport, type LabelledHeadline } from './evaluation';

describe('evaluateExtraction', () => {
  const extractor = createTickerExtractor([
    { ticker: 'ACME', name: 'Acme Widgets Inc.' },
    { ticker: 'BOLT', name: 'Bolt Motors' },
  ]);

  it('counts precision and recall per match source against hand labels', () => {
    const report = evaluateExtraction((input) => extractor.extract(input), [
      // cashtag right; name right (same pair counted once overall, under both sources)
      { id: 1, text: '$ACME and Acme Widgets rally', tickers: ['ACME'] },
      // alias "Bolt" (derived short name of "Bolt Motors") wrong: the label says it is not the company
      // (a business verb beside it is enough context for the extractor, not for the labeller)
      { id: 2, text: 'Bolt beats the storm', tickers: [] },
      // unknown cashtag kept: right; labelled BOLT missed
      { id: 3, text: '$ZZZ up, Bolt Motors maker news', tickers: ['ZZZ', 'BOLT', 'QQQQ'] },
    ]);
    // Labels: ACME, ZZZ, BOLT, QQQQ = 4. Predictions: ACME(1), BOLT(2, wrong), ZZZ(3), BOLT(3) = 4, 3 right.
    expect(report.labelled).toBe(4);
    expect(report.overall).toEqual({ predicted: 4, correct: 3, precision: 0.75, recall: 0.75 });
    expect(report.bySource.cashtag).toEqual({ predicted: 2, correct: 2, precision: 1, recall: 0.5 });
    expect(report.bySource.name).toEqual({ predicted: 2, correct: 2, precision: 1, recall: 0.5 });
    expect(report.bySource.alias).toEqual({ predicted: 1, correct: 0, precision: 0, recall: 0 });
    expect(report.falsePositives).toEqual([{ id: 2, ticker: 'BOLT', matchedBy: ['alias'] }]);
    expect(report.falseNegatives).toEqual([{ id: 3, ticker: 'QQQQ' }]);
    expect(formatExtractionReport(report)).toContain('overall          4     3   75.0%   75.0%');
  });

  it('keeps the product extractor above a quality floor on the hand-labelled headlines', () => {
    const read = (name: string) =>
      fs
        .readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'tickers', name), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as LabelledHeadline);
    const product = createTickerExtractor(mergeInstruments(loadSp500Companies(), defaultInstruments()));
    const labelled = read('labelled-headlines.jsonl');
    expect(labelled).toHaveLength(300);
    const report = evaluateExtraction((input) => product.extract(input), labelled);
    // A floor, not the measured value (see the fixture README): a change that costs real precision or recall fails here.
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.overall.recall).toBeGreaterThanOrEqual(0.9);
    const heldOut = evaluateExtraction((input) => product.extract(input), read('heldout-headlines.jsonl'));
    expect(heldOut.overall.precision).toBeGreaterThanOrEqual(0.85);
    expect(heldOut.overall.recall).toBeGreaterThanOrEqual(0.8);
  });
});
