import { createTickerExtractor } from './extractor';
import { listedUniverse, listingIssuerName, mergeListedUniverse, newsName, parseListedCompanies } from './listed';
import { acceptGuardedMention, isOrdinaryWord } from './context';

describe('listing names', () => {
  it('cuts the security description off to the issuer, then legal forms off to the name news uses', () => {
    const cases: Array<[string, string, string]> = [
      ['Chewy Inc. Class A Common Stock', 'Chewy Inc.', 'Chewy'],
      ['Grab Holdings Limited Class A Ordinary Shares', 'Grab Holdings Limited', 'Grab Holdings'],
      ['The Goodyear Tire & Rubber Company Common Stock', 'The Goodyear Tire & Rubber Company', 'Goodyear Tire & Rubber'],
      ['Alibaba Group Holding Limited American Depositary Shares each representing eight Ordinary share', 'Alibaba Group Holding Limited', 'Alibaba Group Holding'],
      ['ASML Holding N.V. New York Registry Shares', 'ASML Holding N.V.', 'ASML Holding'],
      ['Kroger Company (The) Common Stock', 'The Kroger Company', 'Kroger'],
      ['Shopify Inc. Class A Subordinate Voting Shares', 'Shopify Inc.', 'Shopify'],
      ['Zillow Group Inc. Class C Capital Stock', 'Zillow Group Inc.', 'Zillow Group'],
      ['Novo Nordisk A/S Common Stock', 'Novo Nordisk A/S', 'Novo Nordisk'],
      ['Baidu Inc. ADS', 'Baidu Inc.', 'Baidu'],
    ];
    for (const [listing, issuer, news] of cases) {
      expect(listingIssuerName(listing)).toBe(issuer);
      expect(newsName(issuer)).toBe(news);
    }
  });

  it('keeps common equity, drops warrants, rights, notes and preferreds, and puts the first share class first', () => {
    const csv = [
      'symbol,name,exchange,sector,industry,country,ipo_year,market_cap_usd',
      'ZG,Zillow Group Inc. Class A Common Stock,NASDAQ,Consumer Discretionary,Real Estate,United States,,8270900808.00',
      'Z,Zillow Group Inc. Class C Capital Stock,NASDAQ,Consumer Discretionary,Real Estate,United States,,8068513350.00',
      'GRABW,Grab Holdings Limited Warrant,NASDAQ,Consumer Discretionary,,,,129165176.00',
      'ALB^A,Albemarle Corporation Depositary Shares each representing a 1/20th of 7.25% Series A Mandatory Convertible Preferred Stock,NYSE,,,,,',
      'UZD,Array Digital Infrastructure Inc. 6.250% Senior Notes due 2069,NYSE,,,,,1646908600.00',
      'BRK/B,Berkshire Hathaway Inc.,NYSE,Finance,,,,1.0',
    ].join('\n');
    const companies = parseListedCompanies(csv);
    expect(companies.map((c) => c.ticker)).toEqual(['BRK.B', 'Z', 'ZG']);
    expect(companies.find((c) => c.ticker === 'Z')).toMatchObject({ name: 'Zillow Group Inc.', issuer: 'zillow group', marketCapUsd: 8068513350, sector: 'Consumer Discretionary' });
  });

  it('lays the S&P list over the listing: S&P names and classes win, other classes of an S&P issuer are symbol-only', () => {
    const listed = parseListedCompanies(
      [
        'symbol,name,exchange,sector,industry,country,ipo_year,market_cap_usd',
        'GOOG,Alphabet Inc. Class C Capital Stock,NASDAQ,Technology,,,,1',
        'GOOGL,Alphabet Inc. Class A Common Stock,NASDAQ,Technology,,,,2000000000000',
        'CASY,Casey\'s General Stores Inc. Common Stock,NASDAQ,Consumer Discretionary,,,,30926486826',
      ].join('\n'),
    );
    const merged = mergeListedUniverse(listed, [
      { ticker: 'GOOGL', name: 'Alphabet Inc. (Class A)', cik: '1652044' },
      { ticker: 'CASY', name: "Casey's", cik: '726958' },
    ]);
    expect(merged.find((c) => c.ticker === 'GOOGL')).toMatchObject({ name: 'Alphabet Inc. (Class A)', sp500: true, marketCapUsd: 2e12 });
    expect(merged.find((c) => c.ticker === 'GOOG')).toMatchObject({ namesFrom: 'none' });
    const x = createTickerExtractor(merged);
    expect(x.extract({ title: "Casey's General Stores lifts forecast" }).map((m) => m.ticker)).toEqual(['CASY']);
    expect(x.extract({ title: '$GOOG and Alphabet' }).map((m) => m.ticker).sort()).toEqual(['GOOG', 'GOOGL']);
  });
});

describe('context guard', () => {
  it('knows ordinary words and given names', () => {
    expect(isOrdinaryWord('Grab')).toBe(true);
    expect(isOrdinaryWord('Kirby')).toBe(true);
    expect(isOrdinaryWord('Rivian')).toBe(false);
    expect(isOrdinaryWord('Grab Holdings')).toBe(false);
  });

  it('accepts business language beside the name and rejects noun phrases, imperatives and people', () => {
    const accept = (text: string, name: string, level: 'context' | 'strict' = 'context', subject = {}) => {
      const start = text.indexOf(name);
      return acceptGuardedMention(text, start, start + name.length, name, level, subject);
    };
    expect(accept('Grab posts first profit', 'Grab')).toBe(true);
    expect(accept('Raymond James upgrades Grab, citing fintech', 'Grab')).toBe(true);
    expect(accept('Grab a coffee: five charts', 'Grab')).toBe(false);
    expect(accept('Apple harvest set to fall', 'Apple', 'context', { sp500: true })).toBe(false);
    expect(accept('Apple unveils iPhone', 'Apple', 'context', { sp500: true })).toBe(true);
    expect(accept('Apple and Microsoft', 'Apple', 'context', { sp500: true })).toBe(true);
    expect(accept('Apple and Microsoft', 'Apple', 'context', { marketCapUsd: 1e9 })).toBe(false);
    expect(accept('Harrison Ford says he will act', 'Ford', 'context', { sp500: true })).toBe(false);
    expect(accept('Kirby Smart signs extension', 'Kirby')).toBe(false);
    expect(accept('Target Date Funds gain', 'Target', 'strict')).toBe(false);
    expect(accept('Target cuts forecast', 'Target', 'strict')).toBe(true);
    expect(accept('watch the Nasdaq. News at eleven', 'News', 'strict')).toBe(false);
    expect(accept('Grab-and-go meals', 'Grab')).toBe(false);
    expect(accept('Chewy: pet owners flock', 'Chewy', 'context', { sector: 'Consumer Discretionary' })).toBe(true);
    expect(accept('Chewy: fans flock', 'Chewy', 'context', { sector: 'Consumer Discretionary' })).toBe(false);
    expect(accept('CHEWY SHARES JUMP', 'CHEWY')).toBe(true);
  });
});

describe('extraction over the full listed universe', () => {
  const extractor = createTickerExtractor(listedUniverse());
  const tickersOf = (title: string, summary = '') =>
    extractor
      .extract({ title, summary })
      .map((m) => m.ticker)
      .sort();

  it('recognises the companies issue 24 missed, by name, short name and cashtag', () => {
    expect(tickersOf('Goodyear Tire cuts outlook; Chewy beats estimates; Grab posts profit')).toEqual(['CHWY', 'GRAB', 'GT']);
    expect(tickersOf('The Goodyear Tire & Rubber Company prices notes')).toEqual(['GT']);
    expect(tickersOf('Pet retailer results', 'Chewy raised its outlook as autoship grew.')).toEqual(['CHWY']);
    expect(tickersOf('$CHWY $GRAB $GT move')).toEqual(['CHWY', 'GRAB', 'GT']);
    expect(tickersOf('$A $IT $ALL $ON $NOW report')).toEqual(['A', 'ALL', 'IT', 'NOW', 'ON']);
  });

  it('does not tag fruit, words, people or capitalised short words', () => {
    expect(tickersOf('Apple harvest in Washington state set to fall 10% on heat')).toEqual([]);
    expect(tickersOf('Grab a coffee: here are the five charts that matter')).toEqual([]);
    expect(tickersOf('Walmart hits target for e-commerce profitability')).toEqual(['WMT']);
    expect(tickersOf('Harrison Ford to star in new film; Kelly Clarkson returns; Jimmy Carter\'s library reopens')).toEqual([]);
    expect(tickersOf('ALL EYES ON THE FED: NOW WHAT? IT spending and A strong dollar')).toEqual([]);
    expect(tickersOf('Temperatures reach 40 degrees Celsius; Sea levels rise; Root cause found; Snap election called')).toEqual([]);
  });

  it('builds the whole universe in well under the time a poll takes', () => {
    const started = Date.now();
    createTickerExtractor(listedUniverse());
    expect(extractor.companies.length).toBeGreaterThan(5000);
    // Generous bound: a build is ~1 s on a shared 2-core machine; figures are in bench/tickers.ts.
    expect(Date.now() - started).toBeLessThan(20000);
  });
});
