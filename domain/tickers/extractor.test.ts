import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';
import { normaliseFeed } from '../feeds/normalise';
import { parseFeed } from '../feeds/parse';
import { findCiks } from './cik';
import { loadSp500Companies, type Company } from './company';
import { createTickerExtractor } from './extractor';
import { defaultInstruments, mergeInstruments } from './company';
import { shortName } from './names';

const companies = loadSp500Companies();
const extractor = createTickerExtractor(companies);
const tickersOf = (title: string, summary = '') => extractor.extract({ title, summary }).map((m) => m.ticker);

describe('loadSp500Companies', () => {
  it('reads every constituent with ticker, name and CIK', () => {
    expect(companies.length).toBeGreaterThanOrEqual(500);
    expect(companies.find((c) => c.ticker === 'AAPL')).toMatchObject({ name: 'Apple Inc.', cik: '320193', sector: 'Information Technology' });
    expect(companies.find((c) => c.ticker === 'BRK.B')).toMatchObject({ name: 'Berkshire Hathaway', cik: '1067983' });
  });
});

describe('ticker extraction', () => {
  it('finds cashtags, including class shares, keeps unknown ones flagged and ignores prices', () => {
    const found = extractor.extract({ title: '$AAPL and $BRK.B up; $brk-b too; $ZZZZ unknown; costs $5 or US$10' });
    expect(found.map((m) => m.ticker)).toEqual(['BRK.B', 'AAPL', 'ZZZZ']);
    expect(found.find((m) => m.ticker === 'AAPL')!.unverified).toBeUndefined();
    expect(found.find((m) => m.ticker === 'ZZZZ')).toMatchObject({ unverified: true, matchedBy: ['cashtag'] });
    expect(extractor.extract({ title: 'Buy $T now' })).toEqual([{ ticker: 'T', relevance: expect.any(Number), matchedBy: ['cashtag'] }]);
  });

  it('finds exchange-qualified tickers in the usual spellings', () => {
    const found = tickersOf('Deal news', 'Agreement between X (NASDAQ:AAPL), Y (NYSE: IBM), Z (NYSE:T) and W (Nasdaq: MSFT).');
    expect(found.sort()).toEqual(['AAPL', 'IBM', 'MSFT', 'T']);
    const ibm = extractor.extract({ title: 'NYSE: IBM reports' })[0]!;
    expect(ibm.ticker).toBe('IBM');
    expect(ibm.matchedBy).toContain('exchange');
  });

  it('finds company names with suffixes stripped and word boundaries respected', () => {
    expect(tickersOf('Apple and Microsoft gain; Alphabet slips')).toEqual(expect.arrayContaining(['AAPL', 'MSFT', 'GOOGL']));
    expect(tickersOf("Apple's supplier; Deere beats; Merck & Co. falls")).toEqual(expect.arrayContaining(['AAPL', 'DE', 'MRK']));
    expect(tickersOf('Pineapple prices and snapple drinks')).toEqual([]);
    expect(tickersOf('Estée Lauder and O’Reilly rise; Brown–Forman flat').sort()).toEqual(['BF.B', 'EL', 'ORLY']);
    expect(tickersOf('APPLE SHARES JUMP')).toEqual(['AAPL']);
  });

  it('finds curated and derived aliases', () => {
    const google = extractor.extract({ title: 'Google unveils model' })[0]!;
    expect(google).toMatchObject({ ticker: 'GOOGL', matchedBy: ['alias'] });
    expect(tickersOf('Facebook parent Meta').sort()).toEqual(['META']);
    expect(tickersOf('Marriott and Dell expand')).toEqual(expect.arrayContaining(['MAR', 'DELL']));
    expect(tickersOf('FedEx Freight spin-off')).toEqual(['FDXF']);
  });

  it('does not fall into the short-ticker and common-word traps', () => {
    const prose =
      'It is a great time to buy: all of the analysts are now keen. A key event is on the way; T-bills, IT spending and ' +
      'ALL CAPS ARE FINE. The target price was raised; watch the Dow and the Nasdaq. News at eleven. A block of shares.';
    expect(tickersOf(prose, prose)).toEqual([]);
  });

  it('maps SEC CIKs to tickers from titles, EDGAR URLs and an explicit cik', () => {
    expect(tickersOf('APPLE INC (0000320193) 10-K')).toEqual(['AAPL']);
    expect(extractor.extract({ title: '10-Q - Quarterly report', url: 'https://www.sec.gov/Archives/edgar/data/789019/000095017025010491/index.htm' })).toEqual([
      { ticker: 'MSFT', relevance: expect.any(Number), matchedBy: ['cik'] },
    ]);
    expect(extractor.extract({ title: '8-K', cik: '0001067983' })[0]!.ticker).toBe('BRK.B');
    expect(findCiks('https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0000320193&owner=exclude')).toEqual(['320193']);
  });

  it('on the real EDGAR company feeds finds the filer CIK, which is not an S&P 500 company', () => {
    for (const [name, cik] of [['sec_company_filings_atom.xml', '1844419'], ['sec_company_filings_atom1.xml', '1889983']] as const) {
      const feed = parseFeed(fs.readFileSync(sharedDataPath('feeds', name)));
      const { articles } = normaliseFeed(feed, { fetchedAt: new Date('2025-02-01T00:00:00Z') });
      for (const article of articles) {
        expect(findCiks(article.title, article.url, article.guid)).toEqual([cik]);
        expect(extractor.extract({ title: article.title, summary: article.summary, url: article.url })).toEqual([]);
      }
      expect(findCiks(feed.title)).toEqual([cik]);
      // The same feed for an S&P 500 filer resolves to its ticker through the item URL alone.
      const asApple = articles.map((a) => extractor.extract({ title: a.title, summary: a.summary, url: a.url!.replace(cik, '320193') }));
      expect(asApple.every((m) => m.length === 1 && m[0]!.ticker === 'AAPL')).toBe(true);
    }
  });

  it('orders by relevance: title over summary, cashtag over name, more mentions over fewer', () => {
    const mentions = extractor.extract({
      title: '$NVDA soars while Intel lags',
      summary: 'Nvidia, Nvidia and Nvidia again. Intel too. Microsoft mentioned once.',
    });
    expect(mentions.map((m) => m.ticker)).toEqual(['NVDA', 'INTC', 'MSFT']);
    for (const m of mentions) {
      expect(m.relevance).toBeGreaterThan(0);
      expect(m.relevance).toBeLessThan(1);
    }
    const rel = (title: string, summary = '') => extractor.extract({ title, summary })[0]!.relevance;
    expect(rel('Microsoft')).toBeGreaterThan(rel('x', 'Microsoft'));
    expect(rel('$MSFT')).toBeGreaterThan(rel('Microsoft'));
    expect(rel('x', 'Microsoft and Microsoft')).toBeGreaterThan(rel('x', 'Microsoft'));
    expect(rel('Microsoft')).toBeCloseTo(1 - Math.exp(-1), 3);
  });

  it('accepts a custom universe with extra aliases and drops names two issuers share', () => {
    const custom: Company[] = [
      { ticker: 'ACME', name: 'Acme Widgets Inc.', cik: '1', aliases: ['Roadrunner Catcher'] },
      { ticker: 'TWIN', name: 'Twin Holdings', cik: '2' },
      { ticker: 'TWN', name: 'Twin Holdings', cik: '3' },
    ];
    const small = createTickerExtractor(custom);
    expect(small.extract({ title: 'Acme Widgets hires', summary: 'the Roadrunner Catcher' })[0]).toMatchObject({ ticker: 'ACME', matchedBy: ['alias', 'name'] });
    expect(small.extract({ title: 'Twin Holdings rally' })).toEqual([]);
  });

  it('is fast: one compiled pattern, a thousand articles well under a second', () => {
    const summary = 'Shares of Alphabet (NASDAQ:GOOGL) and AT&T (NYSE: T) rose after Goldman Sachs raised targets. '.repeat(5);
    const started = Date.now();
    for (let i = 0; i < 1000; i++) extractor.extract({ title: `Apple and Microsoft rally as $NVDA jumps ${i}`, summary });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('keeps an unknown cashtag or exchange tag at half weight, flagged, but not currencies, words or lower case', () => {
    const [bynd] = extractor.extract({ title: '$BYND - JPMorgan reels in expectations on Beyond Meat' }).filter((m) => m.ticker === 'BYND');
    // 1 - exp(-(3 * 2 * 0.5) / 4): a title cashtag at half the weight of a known one.
    expect(bynd).toEqual({ ticker: 'BYND', relevance: 0.528, matchedBy: ['cashtag'], unverified: true });
    expect(extractor.extract({ title: '$AAPL' })[0]!.relevance).toBe(0.777);
    expect(extractor.extract({ title: 'Knoll (NYSE:KNL) has a healthy balance sheet' })).toEqual([
      { ticker: 'KNL', relevance: 0.528, matchedBy: ['exchange'], unverified: true },
    ]);
    expect(tickersOf('$USD weakens, $EUR firm; make $money fast; the $CEO said')).toEqual([]);
    // Found twice, still unknown: one mention, both sources, still flagged.
    expect(extractor.extract({ title: '$ZS', summary: 'Zscaler (ZS) upgraded' })).toEqual([
      { ticker: 'ZS', relevance: expect.any(Number), matchedBy: ['cashtag', 'symbol'], unverified: true },
    ]);
  });

  it('maps a former symbol to the issuer, unless an instrument trades under it now', () => {
    expect(extractor.extract({ title: '$FB - Facebook built an app' })).toEqual([{ ticker: 'META', relevance: expect.any(Number), matchedBy: ['alias', 'cashtag'] }]);
    expect(tickersOf('NYSE: UTX and $STI')).toEqual(expect.arrayContaining(['RTX', 'TFC']));
    const reused = createTickerExtractor([...companies, { ticker: 'FB', name: 'Fictional Bank' }]);
    expect(reused.extract({ title: '$FB' })[0]!.ticker).toBe('FB');
  });

  it('maps crypto cashtags, pairs and names to their instrument', () => {
    const withCrypto = createTickerExtractor(mergeInstruments(companies, defaultInstruments()));
    const tickers = (title: string) => withCrypto.extract({ title }).map((m) => [m.ticker, m.matchedBy.join(','), m.unverified ?? false]);
    expect(tickers('$BTC breaks out')).toEqual([['BTC', 'cashtag', false]]);
    expect(tickers('$BTCUSD and $ETH.X')).toEqual([['BTC', 'cashtag', false], ['ETH', 'cashtag', false]]);
    // "BTC" on its own is also Bitcoin's alias; "ETH" is not Ethereum's (it was a NYSE ticker).
    expect(tickers('BTC-USD slides; ETH/USDT flat')).toEqual([['BTC', 'alias,pair', false], ['ETH', 'pair', false]]);
    expect(tickers('IRS investigators scrutinize Bitcoin ATMs')).toEqual([['BTC', 'name', false]]);
    expect(tickers('Bitcoin Cash forks')).toEqual([['BCH', 'name', false]]);
    // Pairs of things that are not crypto instruments are not pairs.
    expect(tickers('EUR-USD at 1.08; AAPL-USD is not a pair')).toEqual([]);
  });

  it('derives short names and initials, but not from ordinary words, places or surnames', () => {
    expect(shortName('Chipotle Mexican Grill')).toBe('Chipotle');
    expect(shortName('Tyson Foods')).toBe('Tyson');
    expect(shortName('General Motors')).toBeNull();
    expect(shortName('Royal Caribbean Group')).toBeNull();
    expect(shortName('Procter & Gamble')).toBeNull();
    expect(shortName('Apple')).toBeNull();
    expect(tickersOf('Goldman names Chipotle its favorite restaurant stock').sort()).toEqual(['CMG', 'GS']);
    expect(tickersOf('CH Robinson and TJX rise; Ford recalls pickups').sort()).toEqual(['CHRW', 'F', 'TJX']);
    expect(tickersOf('General election; Royal wedding; Texas storms; Wells runs dry; Delta variant spreads')).toEqual([]);
    // An exact name of one instrument is never lost to another's short name.
    const small = createTickerExtractor([
      { ticker: 'AAA', name: 'Zorblat' },
      { ticker: 'BBB', name: 'Zorblat Cash Holdings' },
    ]);
    expect(small.extract({ title: 'Zorblat rallies' })).toEqual([{ ticker: 'AAA', relevance: expect.any(Number), matchedBy: ['name'] }]);
  });

  it('reads a symbol in parentheses after its name, known or not, but not abbreviations', () => {
    expect(extractor.extract({ title: 'Cummins (CMI) presents' })[0]).toMatchObject({ ticker: 'CMI', matchedBy: ['name', 'symbol'] });
    expect(extractor.extract({ title: 'Is Zafgen Inc (ZFGN) A Good Stock To Buy?' })).toEqual([
      { ticker: 'ZFGN', relevance: 0.528, matchedBy: ['symbol'], unverified: true },
    ]);
    expect(tickersOf('Autolus Therapeutics plc (AUTL) rises')).toEqual(['AUTL']);
    expect(tickersOf('Hedge Funds Are Done Buying Waddell & Reed Financial, Inc. (WDR)?')).toEqual(['WDR']);
    expect(tickersOf('Chief Executive Officer (CEO) quits; Securities and Exchange Commission (SEC) probes; Exchange-Traded Fund (ETF) flows')).toEqual([]);
    expect(tickersOf('Plan (A) and Option (T) fail')).toEqual([]);
    expect(tickersOf('Visa (V) and Gartner (IT) report; Information Technology (IT) spending grows')).toEqual(['IT', 'V']);
    expect(tickersOf('U.S. Dollar Index Futures (DX) Technical Analysis')).toEqual([]);
  });

  it('lets admin instruments replace defaults by symbol and add aliases', () => {
    const merged = mergeInstruments(defaultInstruments(), [{ ticker: 'btc', name: 'Bitcoin', aliases: ['Digital Gold'], assetClass: 'crypto' }]);
    expect(merged.filter((c) => c.ticker === 'BTC')).toHaveLength(1);
    const x = createTickerExtractor(merged);
    expect(x.extract({ title: 'Digital Gold hits a record' })).toEqual([{ ticker: 'BTC', relevance: expect.any(Number), matchedBy: ['alias'] }]);
  });
});
