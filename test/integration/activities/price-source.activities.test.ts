/**
 * fetchPriceSource (activities/price-source.activities.ts) against the real PostgreSQL and a
 * real local HTTP server, in the SDK's activity harness: a re-run stores nothing new and
 * reports no changed tickers, a corrected bar is one update, a failing ticker is reported
 * without stopping the others, and a deleted source is a no-op.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { priceSourceActivities } from '../../../activities/price-source.activities';
import { createLogger } from '../../../config/logger';
import type { PriceFetchResult } from '../../../contracts';
import { createDataSource } from '../../../db/data-source';
import { parseDestinationPolicy } from '../../../domain/net/destination-guard';
import { PriceFormat } from '../../../entities';
import { countPriceBars } from '../../../store/price-bar-store';
import { insertPriceSource } from '../../../store/price-source-store';
import { uniqueTicker } from '../../support/signal-fixtures';
import { testEnv } from '../../support/stack';

const csv = (closes: number[]) => ['date,open,high,low,close,volume', ...closes.map((c, i) => `2024-04-${String(i + 1).padStart(2, '0')},${c},${c},${c},${c},1000`)].join('\n');

describe('fetchPriceSource activity', () => {
  let db: DataSource;
  let server: http.Server;
  let template: string;
  let activities: ReturnType<typeof priceSourceActivities>;
  /** What the server answers per ticker; missing tickers are 404. */
  const files = new Map<string, string>();
  const run = (sourceId: string) => new MockActivityEnvironment().run(activities.fetchPriceSource, { sourceId }) as Promise<PriceFetchResult>;
  const addSource = async (tickers: string[]) =>
    (await insertPriceSource(db, { name: `activity ${randomUUID()}`, urlTemplate: template, format: PriceFormat.AUTO, interval: '1d', tickers, cron: '15 22 * * 1-5' }))!;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const ticker = new URL(req.url!, 'http://x').searchParams.get('s') ?? '';
      const body = files.get(ticker);
      if (body === undefined) res.writeHead(404).end('no such ticker');
      else res.writeHead(200, { 'content-type': 'text/csv' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    template = `http://127.0.0.1:${(server.address() as AddressInfo).port}/q?s={ticker}`;
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    activities = priceSourceActivities(db, createLogger({ level: 'silent' }), { destinationPolicy: parseDestinationPolicy('127.0.0.1') });
  });
  afterAll(async () => {
    await db.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('stores the bars once: a re-run inserts nothing and changes no ticker; a corrected bar is one update', async () => {
    const ticker = uniqueTicker('P');
    files.set(ticker, csv([10, 11, 12, 13, 14]));
    const sourceId = await addSource([ticker]);
    const first = await run(sourceId);
    expect(first).toEqual({ sourceId, changedTickers: [ticker], results: [{ ticker, inserted: 5, updated: 0, rejected: 0 }] });
    const again = await run(sourceId);
    expect(again).toEqual({ sourceId, changedTickers: [], results: [{ ticker, inserted: 0, updated: 0, rejected: 0 }] });
    files.set(ticker, csv([10, 11, 12.5, 13, 14]));
    expect((await run(sourceId)).results).toEqual([{ ticker, inserted: 0, updated: 1, rejected: 0 }]);
    expect(await countPriceBars(db, ticker, '1d', '2024-04-01', '2024-04-30')).toBe(5);
  });

  it('reports a failing ticker and still stores the others, recording the error on the source', async () => {
    const [good, missing, broken] = [uniqueTicker('P'), uniqueTicker('P'), uniqueTicker('P')];
    files.set(good, csv([20, 21, 22]));
    files.set(broken, 'when,what\n2024-04-01,x');
    const sourceId = await addSource([good, missing, broken].sort());
    const result = await run(sourceId);
    expect(result.changedTickers).toEqual([good]);
    const byTicker = new Map(result.results.map((r) => [r.ticker, r]));
    expect(byTicker.get(good)).toEqual({ ticker: good, inserted: 3, updated: 0, rejected: 0 });
    expect(byTicker.get(missing)?.error).toMatch(/^[A-Z_]+: /);
    expect(byTicker.get(broken)?.error).toMatch(/^BAD_FILE: /);
    const [row] = (await db.query(`SELECT last_error FROM price_sources WHERE id = $1`, [sourceId])) as Array<{ last_error: string | null }>;
    expect(row.last_error).toContain(missing);
    expect(row.last_error).toContain(broken);
  });

  it('does nothing for a source that no longer exists', async () => {
    const sourceId = randomUUID();
    expect(await run(sourceId)).toEqual({ sourceId, changedTickers: [], results: [] });
  });
});
