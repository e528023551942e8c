import { ServiceError } from './errors';
import { csvLimit, MAX_CSV_ROWS, toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting, writes dates as ISO and objects as JSON, and leaves nulls empty', () => {
    const csv = toCsv(
      ['a', 'b', 'c', 'd'],
      [
        ['plain', 'with, comma', 'say "hi"\nthere', null],
        [new Date('2024-01-02T03:04:05Z'), { x: 1 }, 1.5, undefined],
      ],
    );
    expect(csv).toBe('a,b,c,d\nplain,"with, comma","say ""hi""\nthere",\n2024-01-02T03:04:05.000Z,"{""x"":1}",1.5,\n');
  });

  it('neutralises cells a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(toCsv(['x'], [['=HYPERLINK("x")'], ['@SUM(A1)'], ['+1+1'], ['-5'], ['-0.25']])).toBe(`x\n"'=HYPERLINK(""x"")"\n'@SUM(A1)\n'+1+1\n-5\n-0.25\n`);
  });

  it('accepts 1..MAX_CSV_ROWS rows and refuses anything else as BAD_USER_INPUT on limit', () => {
    expect(csvLimit(1)).toBe(1);
    expect(csvLimit(MAX_CSV_ROWS)).toBe(MAX_CSV_ROWS);
    for (const bad of [0, MAX_CSV_ROWS + 1, 1.5]) {
      const err = (() => {
        try {
          csvLimit(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ServiceError);
      expect(err).toMatchObject({ code: 'BAD_USER_INPUT', message: `limit must be 1 to ${MAX_CSV_ROWS}`, details: { field: 'limit' } });
    }
  });
});
