import { findTickerSpan } from './spans';
import type { Company } from './company';

const companies: Company[] = [
  { ticker: 'AAPL', name: 'Apple Inc.' },
  { ticker: 'MSFT', name: 'Microsoft Corporation' },
  { ticker: 'BRK.B', name: 'Berkshire Hathaway' },
];

describe('findTickerSpan', () => {
  test('finds a cashtag, an exchange form and a company name, with offsets into the title', () => {
    const title = '$AAPL beats while Microsoft slides; NYSE: BRK.B flat';
    const slice = (span?: [number, number]) => (span ? title.slice(span[0], span[1]) : undefined);
    expect(slice(findTickerSpan(title, 'AAPL', companies))).toBe('$AAPL');
    expect(slice(findTickerSpan(title, 'MSFT', companies))).toBe('Microsoft');
    expect(slice(findTickerSpan(title, 'BRK.B', companies))).toBe('NYSE: BRK.B');
  });

  test('no span when the ticker is not named in the title', () => {
    expect(findTickerSpan('Markets rally on rate hopes', 'AAPL', companies)).toBeUndefined();
  });
});
