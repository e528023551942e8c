import { expandUrlTemplate, validateUrlTemplate } from './url-template';

describe('price source URL templates', () => {
  it('fills {ticker} and {ticker_lower}, URL-encoded', () => {
    expect(expandUrlTemplate('https://stooq.com/q/d/l/?s={ticker_lower}.us&i=d', 'AAPL')).toBe('https://stooq.com/q/d/l/?s=aapl.us&i=d');
    expect(expandUrlTemplate('http://h/{ticker}.csv', 'BRK.B')).toBe('http://h/BRK.B.csv');
    expect(expandUrlTemplate('http://h/?s={ticker}', 'A&B')).toBe('http://h/?s=A%26B');
  });

  it('refuses templates without a placeholder, with unknown ones, non-http schemes and credentials', () => {
    expect(validateUrlTemplate(' https://h/?s={ticker}&i=d ')).toBe('https://h/?s={ticker}&i=d');
    expect(() => validateUrlTemplate('https://h/prices.csv')).toThrow(/needs a \{ticker\}/);
    expect(() => validateUrlTemplate('https://h/{symbol}')).toThrow(/unknown placeholder \{symbol\}/);
    expect(() => validateUrlTemplate('file:///etc/{ticker}')).toThrow(/http or https/);
    expect(() => validateUrlTemplate('https://u:p@h/{ticker}')).toThrow(/credentials/);
    expect(() => validateUrlTemplate('not a url {ticker}')).toThrow(/is not a URL/);
  });
});
