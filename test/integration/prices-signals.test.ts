import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { ComputeSignalsResult } from '../../contracts';
import { importPricesCommand } from '../../cli/import-prices';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { sharedDataPath } from '../../config/paths';
import { createDataSource } from '../../db/data-source';
import { runMigrations } from '../../db/migrate';
import { EventHub } from '../../events/event-hub';
import { Topic } from '../../events/topics';
import { ServiceError } from '../../services/errors';
import { importPrices } from '../../services/price-import.service';
import { SignalService } from '../../services/signal.service';
import type { TemporalClientHandle } from '../../temporal/client';
import { createScratchDatabase } from '../support/databases';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness';
import { workflowQueue } from '../../domain/task-queues';

const PRICE_FILES = fs.readdirSync(sharedDataPath('prices')).filter((f) => /\.(csv|tsv)$/.test(f)).sort();
const tickerOf = (file: string) => file.split('_')[0];
const intervalOf = (file: string) => (/hourly/.test(file) ? '1h' : '1d');

describe('price import (fresh database)', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let db: DataSource;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = createDataSource(scratch.url, { poolSize: 4 });
    await db.initialize();
    await runMigrations(db);
  });
  afterAll(async () => {
    await db.destroy();
    await scratch.drop();
  });

  it('imports every real price file, reports VIX rejects by line, and a re-import changes nothing', async () => {
    expect(PRICE_FILES).toEqual(['AAPL_daily.tsv', 'BTCUSD_hourly.csv', 'MSFT_daily.tsv', 'SP500_daily.tsv', 'SPY_daily.csv', 'VIX_daily.csv']);
    const expectedBars: Record<string, number> = { AAPL: 8696, BTCUSD: 3314, MSFT: 7743, SP500: 16463, SPY: 5241, VIX: 9188 };
    for (const file of PRICE_FILES) {
      const csv = fs.readFileSync(sharedDataPath('prices', file), 'utf8');
      const ticker = tickerOf(file);
      const first = await importPrices(db, { ticker: ticker.toLowerCase(), csv, interval: intervalOf(file) });
      expect(first).toMatchObject({ ticker, interval: intervalOf(file), bars: expectedBars[ticker], inserted: expectedBars[ticker], updated: 0, unchanged: 0 });
      const [{ count, min, max }] = await db.query(
        'SELECT count(*)::int AS count, min(time) AS min, max(time) AS max FROM price_bars WHERE ticker = $1 AND interval = $2',
        [ticker, intervalOf(file)],
      );
      expect(count).toBe(expectedBars[ticker]);
      expect(new Date(min)).toEqual(first.from);
      expect(new Date(max)).toEqual(first.to);
      if (ticker === 'VIX') {
        expect(first.rejected).toHaveLength(47);
        expect(first.rejected[0]).toEqual({ line: 535, reason: expect.stringContaining('high 18.57 is below') });
        expect(first.rejected.every((r, i) => i === 0 || r.line > first.rejected[i - 1].line)).toBe(true);
        expect(first.format).toContain('no volume');
      } else {
        expect(first.rejected).toEqual([]);
      }
      const again = await importPrices(db, { ticker, csv, interval: intervalOf(file) });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: expectedBars[ticker] });
    }
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM price_bars');
    expect(n).toBe(Object.values(expectedBars).reduce((a, b) => a + b, 0));
  });

  it('a corrected row is reported as updated, a new one as inserted; bad tickers and files fail clearly', async () => {
    const csv = 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10.5,12,10,11,200\n';
    expect(await importPrices(db, { ticker: 'EDIT', csv })).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    const edited = csv.replace('10.5,12,10,11,200', '10.5,12,10,11.5,200') + '2020-01-06,11,11,11,11,\n';
    expect(await importPrices(db, { ticker: 'EDIT', csv: edited })).toMatchObject({ inserted: 1, updated: 1, unchanged: 1 });
    const [bar] = await db.query(`SELECT close, volume FROM price_bars WHERE ticker = 'EDIT' AND time = '2020-01-06T00:00:00Z'`);
    expect(bar).toEqual({ close: 11, volume: null });

    await expect(importPrices(db, { ticker: '1ABC', csv })).rejects.toThrow(/ticker '1ABC' is not valid/);
    await expect(importPrices(db, { ticker: 'WAYTOOLONGTICKER', csv })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'ticker' } });
    await expect(importPrices(db, { ticker: 'OK', csv: '' })).rejects.toBeInstanceOf(ServiceError);
    await expect(importPrices(db, { ticker: 'OK', csv, interval: 'daily' })).rejects.toThrow(/interval 'daily'/);
    await expect(importPrices(db, { ticker: 'OK', csv: 'foo,bar\n1,2\n' })).rejects.toThrow(/cannot find a date and a close column/);
    await expect(importPrices(db, { ticker: 'OK', csv: '' })).rejects.toThrow(/empty/);
  });

  it('the CLI command prints the report with rejected line numbers', async () => {
    const file = path.join(os.tmpdir(), `vix-${randomUUID()}.csv`);
    fs.copyFileSync(sharedDataPath('prices', 'VIX_daily.csv'), file);
    const lines: string[] = [];
    try {
      const report = await importPricesCommand(['VIXCLI', file], { databaseUrl: scratch.url, out: (l) => lines.push(l) });
      expect(report.inserted).toBe(9188);
    } finally {
      fs.rmSync(file, { force: true });
    }
    const text = lines.join('\n');
    expect(text).toContain('inserted:  9188');
    expect(text).toContain('rejected:  47');
    expect(text).toMatch(/line 535: high 18\.57 is below/);
    await expect(importPricesCommand(['VIXCLI'], { databaseUrl: scratch.url })).rejects.toThrow(/usage: import-prices/);
    await expect(importPricesCommand(['VIXCLI', '/no/such/file.csv'], { databaseUrl: scratch.url })).rejects.toThrow(/cannot read/);
  });
});

describe('signals: computeSignalsWorkflow against real PostgreSQL and Temporal', () => {
  const log = createLogger({ level: 'warn' });
  const config = { ...loadConfig({ NODE_ENV: 'test' }), taskQueue: `test-${randomUUID()}` };
  let db: DataSource;
  let temporal: TemporalClientHandle;
  const hub = new EventHub();

  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startWorkerHarness(config, log, hub);
    ({ db, temporal } = harness);
  });
  afterAll(() => harness.stop());

  const run = (input: Record<string, unknown>) =>
    temporal.client.workflow.execute('computeSignalsWorkflow', { taskQueue: workflowQueue(config.taskQueue, 'computeSignalsWorkflow'), workflowId: `signals-${randomUUID()}`, args: [input] }) as Promise<ComputeSignalsResult>;

  async function article(ticker: string, publishedAt: Date, scores: Array<[string, number]>, relevance = 1): Promise<string> {
    const [{ id }] = await db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`,
      [createHash('sha256').update(randomUUID()).digest('hex'), `${ticker} news ${randomUUID()}`, publishedAt.toISOString()],
    );
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, $3, '{cashtag}', $4)`, [id, ticker, relevance, publishedAt.toISOString()]);
    for (const [modelVersion, score] of scores) {
      await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, $2, $3, $4)`, [id, modelVersion, score > 0 ? 'positive' : 'negative', score]);
    }
    return id;
  }

  it('stores a point-in-time signal with provenance, announces it, is idempotent and ignores the future', async () => {
    const ticker = `Z${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
    // Real AAPL bars under this test's own ticker give the technical features something to chew on.
    const report = await importPrices(db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', 'AAPL_daily.tsv'), 'utf8') });
    expect(report.inserted).toBe(8696);
    const asOf = new Date('2015-06-01T15:00:00Z');
    const h = (hours: number) => new Date(asOf.getTime() - hours * 3_600_000);
    // Article 1 has both a model and a (contradicting) lexicon score: the model's must be used.
    const a1 = await article(ticker, h(2), [['hl-test', 0.8], ['lexicon-test', -0.9]]);
    const a2 = await article(ticker, h(5), [['hl-test', 0.6]]);
    const a3 = await article(ticker, h(20), [['lexicon-test', 0.7]]);
    await article(ticker, h(30), [['hl-test', 0.9]]); // previous window: momentum, not provenance
    await article(ticker, h(100), [['hl-test', -1]]); // outside the lookback entirely
    await article(ticker, h(3), [['hl-test', 0.9]], 0.1); // below minRelevance

    const events = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: ticker }]);
    const first = await run({ articleIds: [a1], asOf: asOf.toISOString() });
    expect(first.asOf).toBe(asOf.toISOString());
    expect(first.signals).toHaveLength(1);
    const ref = first.signals[0];
    expect(ref).toMatchObject({ ticker, type: 'BUY', created: true });

    const [signal] = await db.query('SELECT * FROM signals WHERE id = $1', [ref.id]);
    expect(new Date(signal.as_of)).toEqual(asOf);
    expect(signal.confidence).toBeCloseTo(ref.confidence, 6);
    expect(signal.model_versions).toEqual(['hl-test', 'lexicon-test']);
    expect(signal.features.windows['1d'].count).toBe(3);
    expect(signal.features.windows['1d'].weightedMean).toBeCloseTo((0.8 + 0.6 + 0.7) / 3, 5);
    expect(signal.features.technical.barsUsed).toBeGreaterThan(250);
    expect(new Date(signal.features.lastBarTime).getTime()).toBeLessThanOrEqual(asOf.getTime());
    expect(signal.params.primaryWindow).toBe('1d');
    const provenance = async (id: string) =>
      ((await db.query('SELECT article_id FROM signal_articles WHERE signal_id = $1 ORDER BY article_id', [id])) as Array<{ article_id: string }>).map((r) => r.article_id);
    expect(await provenance(ref.id)).toEqual([a1, a2, a3].sort());
    const signals = new SignalService(db);
    const used = (await signals.articlesOf([ref.id])).get(ref.id)!;
    expect(used.map((u) => [u.id, u.score, u.modelVersion])).toEqual([
      [a1, expect.closeTo(0.8, 6), 'hl-test'],
      [a2, expect.closeTo(0.6, 6), 'hl-test'],
      [a3, expect.closeTo(0.7, 6), 'lexicon-test'],
    ]);
    expect((await signals.loadShared(ref.id))?.type).toBe('BUY');

    let timer: NodeJS.Timeout | undefined;
    const event = await Promise.race([events.next(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no SIGNAL_CREATED event')), 10_000)))]);
    clearTimeout(timer);
    expect(event.value).toEqual({ id: ref.id, ticker, type: 'BUY', confidence: ref.confidence });
    events.close();

    // Same asOf again (what a retried activity does): nothing new is written.
    const again = await run({ tickers: [ticker.toLowerCase()], asOf: asOf.toISOString() });
    expect(again.signals).toEqual([{ ...ref, created: false }]);
    const countFor = async () => (await db.query('SELECT count(*)::int AS n FROM signals WHERE ticker = $1', [ticker]))[0].n;
    expect(await countFor()).toBe(1);

    // News and prices from after asOf must not change the signal computed for asOf.
    await article(ticker, new Date(asOf.getTime() + 60_000), [['hl-test', -1]]);
    await db.query(`UPDATE price_bars SET close = close * 0.5 WHERE ticker = $1 AND time > $2`, [ticker, asOf.toISOString()]);
    await db.query('DELETE FROM signals WHERE id = $1', [ref.id]);
    const recomputed = await run({ tickers: [ticker], asOf: asOf.toISOString() });
    const [redo] = await db.query('SELECT * FROM signals WHERE id = $1', [recomputed.signals[0].id]);
    expect(recomputed.signals[0]).toMatchObject({ type: 'BUY', confidence: ref.confidence, created: true });
    expect(redo.features).toEqual(signal.features);
    expect(await provenance(redo.id)).toEqual([a1, a2, a3].sort());
    expect(await countFor()).toBe(1);

    // A later asOf sees the new (negative) article: a second signal, with the first as "previous".
    const later = await run({ tickers: [ticker], asOf: new Date(asOf.getTime() + 3_600_000).toISOString() });
    expect(later.signals[0].created).toBe(true);
    const [latest] = await db.query('SELECT features FROM signals WHERE id = $1', [later.signals[0].id]);
    expect(latest.features.windows['1d'].count).toBe(4);
    expect(await countFor()).toBe(2);
    const listed = (await signals.page({ tickers: [ticker.toLowerCase()] }, 50)).signals;
    expect(listed.map((x) => x.id)).toEqual([later.signals[0].id, recomputed.signals[0].id]);
    expect((await signals.page({ tickers: [ticker], to: listed[0].asOf }, 50)).signals.map((x) => x.id)).toEqual([recomputed.signals[0].id]);
    // Provenance of several signals in one query, each its own articles.
    const both = await signals.articlesOf([later.signals[0].id, recomputed.signals[0].id]);
    expect(both.get(recomputed.signals[0].id)!.map((a) => a.id).sort()).toEqual([a1, a2, a3].sort());
    expect(both.get(later.signals[0].id)!.length).toBe(4);
  });

  it('tickers without scored news are skipped, bad input fails without retries', async () => {
    const result = await run({ tickers: ['NONEWS'] });
    expect(result.signals).toEqual([]);
    expect(result.skipped).toEqual([{ ticker: 'NONEWS', reason: expect.stringContaining('no scored articles') }]);
    await expect(run({ tickers: ['X'], asOf: 'not a date' })).rejects.toThrow(/Workflow execution failed/);
    await expect(run({ articleIds: ['nope'] })).rejects.toThrow(/Workflow execution failed/);
  });
});
