/**
 * InstrumentService's rules against the real PostgreSQL, through store/instrument-store:
 * every invalid field is a BAD_USER_INPUT naming it, an upsert normalises and is repeatable,
 * removing an unknown symbol is NOT_FOUND, and lookup says where a symbol comes from.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { AssetClass } from '../../../entities';
import { InstrumentService, type InstrumentInput } from '../../../services/instrument.service';
import { testEnv } from '../../support/stack';

const newSymbol = () => `Q${randomUUID().replace(/[^a-f]/g, '').slice(0, 6).toUpperCase()}`;

describe('InstrumentService', () => {
  let db: DataSource;
  let instruments: InstrumentService;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    // No Temporal client: nothing is re-tagged, the rules are the same.
    instruments = new InstrumentService(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  const bad: Array<[string, Partial<InstrumentInput>]> = [
    ['symbol', { symbol: '1ABC' }],
    ['symbol', { symbol: 'TOOLONGSYMBOL' }],
    ['name', { name: 'X' }],
    ['aliases', { aliases: Array.from({ length: 21 }, (_, i) => `alias ${i}`) }],
    ['aliases', { aliases: ['A'] }],
    ['cik', { cik: '12ab' }],
    ['assetClass', { assetClass: 'BOND' as AssetClass }],
  ];
  it.each(bad)('refuses a bad %s, storing nothing', async (field, patch) => {
    const symbol = newSymbol();
    await expect(instruments.upsert({ symbol, name: 'Test Corp', ...patch })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await instruments.list()).some((i) => i.symbol === symbol)).toBe(false);
  });

  it('normalises on upsert (symbol case, duplicate aliases, leading zeros of the CIK) and a repeat changes the same row', async () => {
    const symbol = newSymbol();
    const first = await instruments.upsert({ symbol: symbol.toLowerCase(), name: ' Test Corp ', aliases: ['Testco', ' Testco ', ''], cik: '000123', exchange: 'nasdaq' });
    expect(first).toMatchObject({ symbol, name: 'Test Corp', aliases: ['Testco'], cik: '123', exchange: 'NASDAQ', assetClass: AssetClass.EQUITY });
    const again = await instruments.upsert({ symbol, name: 'Test Corporation', assetClass: AssetClass.ETF });
    expect(again).toMatchObject({ symbol, name: 'Test Corporation', assetClass: AssetClass.ETF });
    expect((await instruments.list()).filter((i) => i.symbol === symbol)).toHaveLength(1);
    expect(await instruments.lookup(symbol.toLowerCase())).toMatchObject({ symbol, name: 'Test Corporation', source: 'admin' });
  });

  it('removes an admin instrument once; a second removal is NOT_FOUND', async () => {
    const symbol = newSymbol();
    await instruments.upsert({ symbol, name: 'Gone Soon' });
    expect(await instruments.remove(symbol)).toBe(true);
    await expect(instruments.remove(symbol)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await instruments.lookup(symbol)).toBeNull();
  });

  it('looks up a symbol it does not hold in the S&P 500 list', async () => {
    expect(await instruments.lookup('AAPL')).toMatchObject({ symbol: 'AAPL', source: 'sp500' });
  });
});
