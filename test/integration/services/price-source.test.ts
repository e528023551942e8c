/**
 * PriceSourceService's rules against the real PostgreSQL (store/price-source-store) and the
 * real Temporal dev server: name, URL template, ticker, cron and interval validation, the
 * destination guard on the URLs a template makes, CONFLICT on a second source with the same
 * name, and NOT_FOUND for unknown sources.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { MAX_TICKERS_PER_SOURCE, PriceSourceService, type AddPriceSourceInput } from '../../../services/price-source.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../../temporal/client';
import { testEnv } from '../../support/stack';

const TASK_QUEUE = `svc-prices-${randomUUID()}`;
const TEMPLATE = 'https://prices.example.com/q?s={ticker}&i=d';

describe('PriceSourceService', () => {
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let sources: PriceSourceService;
  const input = (patch: Partial<AddPriceSourceInput> = {}): AddPriceSourceInput => ({ name: `prices ${randomUUID()}`, urlTemplate: TEMPLATE, tickers: ['AAPL'], ...patch });

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    sources = new PriceSourceService(db, temporal.client, TASK_QUEUE);
  });
  afterAll(async () => {
    await temporal.close();
    await db.destroy();
  });

  const refusals: Array<[string, Partial<AddPriceSourceInput>]> = [
    ['name', { name: '  ' }],
    ['name', { name: 'n'.repeat(201) }],
    ['urlTemplate', { urlTemplate: 'https://prices.example.com/fixed' }],
    ['urlTemplate', { urlTemplate: 'not a url {ticker}' }],
    ['urlTemplate', { urlTemplate: 'http://127.0.0.1/q?s={ticker}' }],
    ['urlTemplate', { urlTemplate: 'http://169.254.169.254/{ticker}' }],
    ['tickers', { tickers: ['not a ticker!'] }],
    ['tickers', { tickers: Array.from({ length: MAX_TICKERS_PER_SOURCE + 1 }, (_, i) => `T${i}`) }],
    ['cron', { cron: '15 22 * *' }],
    ['interval', { interval: 'fortnightly' }],
  ];
  it.each(refusals)('refuses a bad %s and stores no source', async (field, patch) => {
    const candidate = input(patch);
    await expect(sources.add(candidate)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await sources.list()).some((s) => s.name === candidate.name.trim())).toBe(false);
  });

  it('adds a source with sorted, de-duplicated tickers; refuses the same name again as CONFLICT; sets tickers; removes it', async () => {
    const source = await sources.add(input({ tickers: ['msft', 'AAPL', 'MSFT'] }));
    expect(source.tickers).toEqual(['AAPL', 'MSFT']);
    await expect(sources.add(input({ name: source.name }))).rejects.toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect((await sources.list()).filter((s) => s.name === source.name)).toHaveLength(1);
    expect((await sources.setTickers(source.id, ['nvda', 'NVDA'])).tickers).toEqual(['NVDA']);
    await expect(sources.setTickers(source.id, ['bad ticker!'])).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
    expect((await sources.get(source.id)).tickers).toEqual(['NVDA']);
    expect(await sources.remove(source.id)).toBe(true);
    await expect(sources.get(source.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers NOT_FOUND for an unknown source', async () => {
    const id = randomUUID();
    await expect(sources.setTickers(id, ['AAPL'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(sources.remove(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(sources.fetchNow(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses on-demand signals without tickers or with an invalid time before starting anything', async () => {
    await expect(sources.computeSignals([])).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
    await expect(sources.computeSignals(['AAPL'], new Date('nope'))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
  });
});
