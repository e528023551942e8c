import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';
import { parsePriceCsv, parsePriceCsvSteps, readRecords } from './parse-price-csv';
import { PriceBar } from './types';

const read = (name: string): string => fs.readFileSync(sharedDataPath('prices', name), 'utf8');

function expectStrictlyAscending(bars: PriceBar[]): void {
  for (let i = 1; i < bars.length; i++) expect(bars[i].time.getTime()).toBeGreaterThan(bars[i - 1].time.getTime());
}

function expectConsistent(bars: PriceBar[]): void {
  for (const b of bars) {
    expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close, b.low) * (1 - 1e-9));
    expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close) * (1 + 1e-9));
  }
}

describe('parsePriceCsv on the real price files', () => {
  it('SPY: drops the unnamed index column and keeps every row', () => {
    const r = parsePriceCsv(read('SPY_daily.csv'));
    expect(r.bars).toHaveLength(5241);
    expect(r.rejected).toEqual([]);
    expect(r.format).toBe('csv; columns date,open,high,low,close,volume; ignored unnamed column 1; oldest-first');
    expect(r.bars[0]).toEqual({ time: new Date('1999-11-01T00:00:00Z'), open: 136.5, high: 137, low: 135.5625, close: 135.5625, volume: 4006500 });
    expect(r.bars[5240].time.toISOString()).toBe('2020-08-28T00:00:00.000Z');
    expect(r.bars[5240].close).toBe(350.58);
    expectStrictlyAscending(r.bars);
  });

  it('AAPL: tab-separated with an empty adj close column; raw close is used', () => {
    const r = parsePriceCsv(read('AAPL_daily.tsv'));
    expect(r.bars).toHaveLength(8696);
    expect(r.rejected).toEqual([]);
    expect(r.format.startsWith('tsv;')).toBe(true);
    expect(r.bars[r.bars.length - 1]).toEqual({ time: new Date('2015-06-08Z'), open: 128.9, high: 129.21, low: 126.83, close: 127.8, volume: 52538200 });
    expectStrictlyAscending(r.bars);
  });

  it('MSFT: extra split/dividend columns are ignored and 1e-17 rounding noise is not a rejection', () => {
    const r = parsePriceCsv(read('MSFT_daily.tsv'));
    expect(r.bars).toHaveLength(7743);
    expect(r.rejected).toEqual([]);
    expect(r.format).toContain('ignored split,dividend,absoluteChange,percentChange');
    expectConsistent(r.bars);
    expectStrictlyAscending(r.bars);
  });

  it('SP500: keeps the single zero-volume day as volume 0', () => {
    const r = parsePriceCsv(read('SP500_daily.tsv'));
    expect(r.bars).toHaveLength(16463);
    expect(r.rejected).toEqual([]);
    const zero = r.bars.filter((b) => b.volume === 0);
    expect(zero.map((b) => b.time.toISOString())).toEqual(['2015-05-12T00:00:00.000Z']);
    expect(r.bars[0].time.toISOString()).toBe('1950-01-03T00:00:00.000Z');
  });

  it('BTC-USD hourly: newest-first input comes back oldest-first with zero-volume hours kept', () => {
    const r = parsePriceCsv(read('BTCUSD_hourly.csv'));
    expect(r.bars).toHaveLength(3314);
    expect(r.rejected).toEqual([]);
    expect(r.format).toContain('newest-first');
    expect(r.bars[0].time.toISOString()).toBe('2016-01-01T00:05:00.000Z');
    expect(r.bars[0].close).toBe(430.6);
    expect(r.bars[3313].time.toISOString()).toBe('2016-04-27T15:00:00.000Z');
    expect(r.bars.filter((b) => b.volume === 0)).toHaveLength(856);
    expectStrictlyAscending(r.bars);
  });

  it('VIX: upper-case headers, CRLF, no volume, and the 47 inconsistent rows rejected by line number', () => {
    const text = read('VIX_daily.csv');
    const r = parsePriceCsv(text);
    expect(r.bars).toHaveLength(9235 - 47);
    expect(r.rejected).toHaveLength(47);
    expect(r.format).toContain('no volume');
    expect(r.bars.every((b) => b.volume === null)).toBe(true);
    expectConsistent(r.bars);
    expect(r.rejected[0]).toEqual({
      line: 535,
      reason:
        'high 18.57 is below max(open, close, low) = 19.24 (open 19.24, high 18.57, low 17.61, close 17.7); correct the high or drop the row',
    });
    expect(r.rejected[2].line).toBe(670);
    expect(r.rejected[2].reason).toMatch(/^low 15.21 is above min\(open, close\) = 13.74/);
    // Independent check: every reported line really is an inconsistent row of the raw file.
    const lines = text.split('\r\n');
    for (const { line } of r.rejected) {
      const [, o, h, l, c] = lines[line - 1].split(',').map(Number);
      expect(h < Math.max(o, c, l) || l > Math.min(o, c)).toBe(true);
    }
    expect(new Set(r.rejected.map((x) => x.line)).size).toBe(47);
  });
});

describe('parsePriceCsv on formats not in the shared data', () => {
  it('detects semicolons, aliases and a split date/time pair', () => {
    const text = 'Date;Time;Open;High;Low;Last;Vol.\n2024-01-02;09:30;10;11;9;10.5;1.2K\n2024-01-02;09:31;10.5;10.6;10.4;10.4;300\n';
    const r = parsePriceCsv(text);
    expect(r.format).toBe('delimited(;); columns date,time,open,high,low,close,volume; oldest-first');
    expect(r.bars.map((b) => [b.time.toISOString(), b.close, b.volume])).toEqual([
      ['2024-01-02T09:30:00.000Z', 10.5, 1200],
      ['2024-01-02T09:31:00.000Z', 10.4, 300],
    ]);
  });

  it('reads header-less positional files, US and European dates, epochs and zones', () => {
    const r = parsePriceCsv('01/31/2024,1,2,0.5,1.5,10\n01.02.2024,1,2,0.5,1.5\n1706832000,1,1,1,1,0\n2024-02-03T10:00:00+02:00,1,1,1,1,0\n');
    expect(r.format).toContain('no header');
    expect(r.bars.map((b) => b.time.toISOString())).toEqual([
      '2024-01-31T00:00:00.000Z',
      '2024-02-01T00:00:00.000Z',
      '2024-02-02T00:00:00.000Z',
      '2024-02-03T08:00:00.000Z',
    ]);
    expect(r.bars[1].volume).toBeNull();
  });

  it('reports each bad row with its line and an actionable reason, and keeps the good ones', () => {
    const text = [
      'timestamp,open,high,low,close,volume', // 1
      '2024-01-01,1,2,0.5,1.5,100', // 2 good
      '2024-02-30,1,2,0.5,1.5,100', // 3 impossible date
      '2024-01-03,abc,2,0.5,1.5,100', // 4
      '2024-01-04,1,2,0.5,0,100', // 5
      '', // 6 blank lines are not rows
      '2024-01-05,1,2,0.5,1.5,-3', // 7
      '2024-01-06,1,2,0.5', // 8 short row
      '2024-01-01,9,9,9,9,9', // 9 duplicate of line 2
      '2024-01-07,1,2,1.2,1.5,', // 10 low above open
    ].join('\n');
    const r = parsePriceCsv(text);
    expect(r.bars).toHaveLength(1);
    expect(r.bars[0].close).toBe(1.5);
    expect(r.rejected).toEqual([
      { line: 3, reason: "date '2024-02-30' is not a recognised date/time (expected e.g. 2020-01-31 or 2020-01-31 15:00:00)" },
      { line: 4, reason: "open 'abc' is not a number" },
      { line: 5, reason: 'close 0 must be greater than 0' },
      { line: 7, reason: 'volume -3 must not be negative' },
      { line: 8, reason: 'close is missing' },
      { line: 9, reason: 'duplicate timestamp 2024-01-01T00:00:00.000Z: line 2 already gives a bar for it (kept that one)' },
      { line: 10, reason: 'low 1.2 is above min(open, close) = 1 (open 1, high 2, low 1.2, close 1.5); correct the low or drop the row' },
    ]);
  });

  it('reads an investing.com-style export: quoted fields, month-name dates, Price/Vol. columns, newest-first', () => {
    const text = [
      '\uFEFF"Date","Price","Open","High","Low","Vol.","Change %"',
      '"Jan 03, 2020","3,234.85","3,226.36","3,246.15","3,222.34","3.46B","-0.71%"',
      '"Jan 02, 2020","3,257.85","3,244.67","3,258.14","3,235.53","3.46M","0.84%"',
    ].join('\r\n');
    const r = parsePriceCsv(text);
    expect(r.format).toBe('csv; columns date,close,open,high,low,volume; ignored Change %; newest-first');
    expect(r.bars).toEqual([
      { time: new Date('2020-01-02Z'), open: 3244.67, high: 3258.14, low: 3235.53, close: 3257.85, volume: 3.46e6 },
      { time: new Date('2020-01-03Z'), open: 3226.36, high: 3246.15, low: 3222.34, close: 3234.85, volume: 3.46e9 },
    ]);
  });

  it("treats Yahoo's literal null rows as missing values with a clear reason", () => {
    const r = parsePriceCsv('Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.4,100\n2020-01-03,null,null,null,null,null,null\n2020-01-06,1,2,0.5,1.5,1.4,null\n');
    expect(r.bars.map((b) => b.volume)).toEqual([100, null]);
    expect(r.rejected).toEqual([{ line: 3, reason: "close is missing ('null')" }]);
  });

  it('filters a multi-ticker file and refuses to guess which ticker is wanted', () => {
    const text = 'Symbol,Date,Close\nAAA,2024-01-01,10\nBBB,2024-01-01,20\naaa,2024-01-02,11\n';
    expect(() => parsePriceCsv(text)).toThrow(/holds 2 tickers.*pass opts.ticker/);
    const r = parsePriceCsv(text, { ticker: 'AAA' });
    expect(r.bars.map((b) => [b.close, b.open, b.high, b.low])).toEqual([
      [10, 10, 10, 10],
      [11, 11, 11, 11],
    ]);
    expect(r.rejected).toEqual([]);
  });

  it('throws with guidance when there is no usable header or no data', () => {
    expect(() => parsePriceCsv('foo,bar\n1,2\n')).toThrow(/cannot find a date and a close column/);
    expect(() => parsePriceCsv('\n\n')).toThrow(/empty/);
  });

  it('500,000 bad rows: all counted, the first maxRejected reported, in steps that pause every 1,000 rows', () => {
    const text = 'date,close\n' + 'x\n'.repeat(500_000);
    const steps = parsePriceCsvSteps(text, { maxRejected: 100 });
    let pauses = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) pauses++;
    expect(pauses).toBeGreaterThanOrEqual(500);
    const parsed = r.value;
    expect(parsed.rejectedCount).toBe(500_000);
    expect(parsed.rejected.map((x) => x.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
  });

  it('keeps the lowest line numbers when duplicates are found after row errors', () => {
    const text = 'date,close\n2024-01-02,1\nbad,1\n2024-01-02,2\nbad,2\n2024-01-03,3\n';
    const r = parsePriceCsv(text, { maxRejected: 2 });
    expect(r.rejectedCount).toBe(3);
    expect(r.rejected.map((x) => x.line)).toEqual([3, 4]);
    expect(r.bars.map((b) => b.close)).toEqual([1, 3]);
  });

  it('reads quoted cells: escaped quotes, delimiters and line breaks inside quotes, CRLF, a BOM', () => {
    const text = '\uFEFFDate,Close,Note\r\n"2024-01-01","1,234.5","a ""quoted"", note"\r\n2024-01-02,10,"two\nlines"\r\n\r\n2024-01-03,11,x\r\n';
    const r = parsePriceCsv(text);
    expect(r.bars.map((b) => b.close)).toEqual([1234.5, 10, 11]);
    expect(r.rejectedCount).toBe(0);
    expect([...readRecords('a,"b\nc"\nd,e\n', ',')]).toEqual([
      { record: ['a', 'b\nc'], line: 2 },
      { record: ['d', 'e'], line: 3 },
    ]);
  });
});
