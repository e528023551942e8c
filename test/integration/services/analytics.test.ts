/**
 * AnalyticsService's rules against the real PostgreSQL (store/analytics-store): the ticker
 * count and time span it accepts, correlations computed from stored daily bars, and admin
 * instruments overriding the S&P 500 sector list.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { AnalyticsService } from '../../../services/analytics.service';
import { InstrumentService } from '../../../services/instrument.service';
import { writePriceFile } from '../../../store/price-bar-store';
import { testEnv } from '../../support/stack';

const uniqueTicker = () => `A${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
const csv = (closes: number[]) => ['date,open,high,low,close,volume', ...closes.map((c, i) => `2024-03-${String(i + 1).padStart(2, '0')},${c},${c},${c},${c},1000`)].join('\n');
const FROM = new Date('2024-03-01T00:00:00Z');
const TO = new Date('2024-03-31T00:00:00Z');

describe('AnalyticsService', () => {
  let db: DataSource;
  let analytics: AnalyticsService;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    analytics = new AnalyticsService(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('needs 2 to 50 distinct tickers: one ticker twice in other case is one', async () => {
    await expect(analytics.correlation(['AAPL'], FROM, TO, 'RETURNS')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
    await expect(analytics.correlation(['aapl', 'AAPL'], FROM, TO, 'RETURNS')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
    const many = Array.from({ length: 51 }, (_, i) => `T${i}`);
    await expect(analytics.correlation(many, FROM, TO, 'SENTIMENT')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
  });

  it('needs from before to and at most 20 years between them', async () => {
    await expect(analytics.correlation(['AAPL', 'MSFT'], TO, FROM, 'RETURNS')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    await expect(analytics.correlation(['AAPL', 'MSFT'], FROM, FROM, 'RETURNS')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    await expect(analytics.sectorSentiment(new Date('1990-01-01'), new Date('2024-01-01'))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('correlates daily returns from the stored bars: a series and its double move as one, its mirror opposite', async () => {
    const [a, b, c] = [uniqueTicker(), uniqueTicker(), uniqueTicker()];
    const closes = [10, 11, 10.5, 12, 11.5, 13, 12, 12.5];
    await writePriceFile(db, { ticker: a, interval: '1d', csv: csv(closes) });
    await writePriceFile(db, { ticker: b, interval: '1d', csv: csv(closes.map((x) => x * 2)) });
    // Same-size moves the other way: log returns negated.
    await writePriceFile(db, { ticker: c, interval: '1d', csv: csv(closes.map((x) => 100 / x)) });
    const result = await analytics.correlation([a.toLowerCase(), b, c], FROM, TO, 'RETURNS');
    expect(result.tickers).toEqual([a, b, c]);
    expect(result.observations[0][1]).toBe(closes.length - 1);
    expect(result.matrix[0][1]).toBeCloseTo(1, 10);
    expect(result.matrix[0][2]).toBeCloseTo(-1, 10);
  });

  it('gives no correlation for tickers without stored data instead of failing', async () => {
    const result = await analytics.correlation([uniqueTicker(), uniqueTicker()], FROM, TO, 'SENTIMENT');
    expect(result.matrix[0][1]).toBeNull();
    expect(result.observations[0][1]).toBe(0);
  });

  it('lets an admin instrument name the sector of a ticker', async () => {
    const symbol = uniqueTicker();
    await new InstrumentService(db).upsert({ symbol, name: 'Sector Test Corp', sector: 'Utilities' });
    const sectors = await analytics.sectorMap();
    expect(sectors.get(symbol)).toBe('Utilities');
    expect(sectors.get('AAPL')).toBe('Information Technology');
  });
});
