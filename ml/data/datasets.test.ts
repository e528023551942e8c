import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLabel, parseSentfinDecisions, readLabelledCsv, readSentfinConsistent, seededRandom, stratifiedSplit } from './datasets';

function tempFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentiment-data-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('sentiment data', () => {
  test('labels accept names and the twitter encoding 0=negative 1=positive 2=neutral', () => {
    expect(parseLabel('0')).toBe('negative');
    expect(parseLabel('1')).toBe('positive');
    expect(parseLabel('2')).toBe('neutral');
    expect(parseLabel(' Positive ')).toBe('positive');
    expect(() => parseLabel('meh')).toThrow(/unknown sentiment label/);
  });

  test('CSV rows keep quoted commas and map labels', () => {
    const file = tempFile('eval.csv', 'text,label\n"$CX - Cemex cut, weak outlook",0\nOil flat,neutral\n');
    expect(readLabelledCsv(file)).toEqual([
      { text: '$CX - Cemex cut, weak outlook', label: 'negative' },
      { text: 'Oil flat', label: 'neutral' },
    ]);
  });

  test('SEntFiN decisions parse despite unescaped apostrophes in entity names', () => {
    expect(parseSentfinDecisions("{'Lakshmi Vilas' Bank': 'negative'}")).toEqual(['negative']);
    expect(parseSentfinDecisions("{'Gold': 'positive', 'Silver': 'negative'}")).toEqual(['positive', 'negative']);
    expect(parseSentfinDecisions('{"Dr Reddy\'s": \'neutral\'}')).toEqual(['neutral']);
  });

  test('only SEntFiN headlines with one consistent label are kept', () => {
    const file = tempFile(
      'sentfin.csv',
      [
        'S No.,Title,Decisions,Words',
        "1,Gold shines; Silver dull,\"{'Gold': 'positive', 'Silver': 'negative'}\",4",
        "2,HDFC and ICICI rally,\"{'HDFC': 'positive', 'ICICI': 'positive'}\",4",
        "3,Kotak's profit slips,{'Kotak's': 'negative'},3",
      ].join('\n'),
    );
    expect(readSentfinConsistent(file)).toEqual([
      { text: 'HDFC and ICICI rally', label: 'positive' },
      { text: "Kotak's profit slips", label: 'negative' },
    ]);
  });

  test('stratified split keeps class shares, is disjoint and repeats for a seed', () => {
    const rows = [
      ...Array.from({ length: 50 }, (_, i) => ({ text: `n${i}`, label: 'negative' as const })),
      ...Array.from({ length: 30 }, (_, i) => ({ text: `p${i}`, label: 'positive' as const })),
      ...Array.from({ length: 20 }, (_, i) => ({ text: `u${i}`, label: 'neutral' as const })),
    ];
    const a = stratifiedSplit(rows, 0.2, 42);
    const b = stratifiedSplit(rows, 0.2, 42);
    expect(a).toEqual(b);
    expect(a.test.filter((r) => r.label === 'negative')).toHaveLength(10);
    expect(a.test.filter((r) => r.label === 'positive')).toHaveLength(6);
    expect(a.test.filter((r) => r.label === 'neutral')).toHaveLength(4);
    const testTexts = new Set(a.test.map((r) => r.text));
    expect(a.train.some((r) => testTexts.has(r.text))).toBe(false);
    expect(a.train.length + a.test.length).toBe(100);
    expect(stratifiedSplit(rows, 0.2, 43).test).not.toEqual(a.test);
  });

  test('the seeded generator repeats and stays in [0, 1)', () => {
    const x = seededRandom(1);
    const y = seededRandom(1);
    const values = Array.from({ length: 100 }, () => x());
    expect(values).toEqual(Array.from({ length: 100 }, () => y()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
