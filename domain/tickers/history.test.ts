import { listedUniverse } from './listed';
import { createTickerExtractor } from './extractor';
import { LISTING_CHANGES, symbolOnDate } from './history';

describe('listing history: point-in-time tagging', () => {
  const extractor = createTickerExtractor(listedUniverse());
  const on = (title: string, publishedAt?: string) =>
    extractor
      .extract({ title, publishedAt })
      .map((m) => m.ticker)
      .sort();

  it('tags a 2019 Mylan, Twitter or Facebook article with the symbol of its day, and later ones with the successor', () => {
    expect(on('Mylan shares fall after FDA warning letter', '2019-05-03T12:00:00Z')).toEqual(['MYL']);
    expect(on('Mylan shares fall after FDA warning letter', '2021-05-03T12:00:00Z')).toEqual(['VTRS']);
    expect(on('Twitter beats on user growth', '2019-04-23T12:00:00Z')).toEqual(['TWTR']);
    expect(on('Twitter beats on user growth', '2023-04-23T12:00:00Z')).toEqual([]);
    expect(on('Facebook revenue jumps', '2019-01-30T21:00:00Z')).toEqual(['FB']);
    expect(on('Facebook revenue jumps', '2023-01-30T21:00:00Z')).toEqual(['META']);
    // No date: a rename reads as today; a merged or acquired name could be from any year, so it is not tagged.
    expect(on('Facebook revenue jumps')).toEqual(['META']);
    expect(on('Mylan shares fall after FDA warning letter')).toEqual([]);
    expect(on('$TWTR $MYL', '2019-06-01T00:00:00Z')).toEqual(['MYL', 'TWTR']);
  });

  it('reads a former symbol reused by another issuer as of the article day', () => {
    // BBT was BB&T until the SunTrust merger (Truist, TFC); today it is Beacon Financial's symbol.
    expect(on('$BBT earnings', '2018-04-19T12:00:00Z')).toEqual(['BBT']);
    expect(on('$BBT earnings', '2026-04-19T12:00:00Z')).toEqual(['BBT']);
    expect(on('BB&T to merge with SunTrust', '2019-02-07T12:00:00Z')).toEqual(['BBT', 'STI']);
    expect(on('BB&T branches rebranded', '2021-02-07T12:00:00Z')).toEqual(['TFC']);
  });

  it('guards historic names that are given names', () => {
    expect(on('Tiffany Trump attends gala', '2019-05-01T00:00:00Z')).toEqual([]);
    expect(on('Tiffany raises outlook as China sales rebound', '2019-05-01T00:00:00Z')).toEqual(['TIF']);
  });

  it('has effective dates that parse and successors that differ from the former symbol', () => {
    for (const c of LISTING_CHANGES) {
      expect(Number.isNaN(Date.parse(c.effective))).toBe(false);
      expect(c.successor).not.toBe(c.formerSymbol);
      expect(symbolOnDate(c, new Date(Date.parse(c.effective) - 1))).toBe(c.formerSymbol);
      expect(symbolOnDate(c, new Date(c.effective))).toBe(c.successor);
    }
  });
});
