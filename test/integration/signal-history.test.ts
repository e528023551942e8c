import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import type { BacktestOutcome } from '../../domain/backtest';
import type { ComputeSignalsResult } from '../../contracts';
import { MockActivityEnvironment } from '@temporalio/testing';
import { signalReplayActivities } from '../../activities/signal-replay.activities';
import { INTRADAY_SUFFIX, type ReplayChunkResult, type ReplaySignalsInput, type ReplaySummary } from '../../contracts';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { sharedDataPath } from '../../config/paths';
import { signalRulesVersion } from '../../domain/signals';
import { BacktestStatus } from '../../entities';
import { EventHub } from '../../events/event-hub';
import { ArticleService } from '../../services/article.service';
import { getBacktest, startBacktest, type StartBacktestInput } from '../../services/backtest.service';
import { importPrices } from '../../services/price-import.service';
import type { TemporalClientHandle } from '../../temporal/client';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness';
import { workflowQueue } from '../../domain/task-queues';

const DAY = 86_400_000;

describe('signal history: replaySignalsWorkflow, past-dated imports and SIGNALS backtests on real PostgreSQL and Temporal', () => {
  const log = createLogger({ level: 'warn' });
  const config = { ...loadConfig({ NODE_ENV: 'test' }), taskQueue: `test-${randomUUID()}` };
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await startWorkerHarness(config, log, new EventHub());
    ({ db, temporal } = harness);
  });
  afterAll(() => harness.stop());

  const live = (input: Record<string, unknown>) =>
    temporal.client.workflow.execute('computeSignalsWorkflow', { taskQueue: workflowQueue(config.taskQueue, 'computeSignalsWorkflow'), workflowId: `signals-${randomUUID()}`, args: [input] }) as Promise<ComputeSignalsResult>;
  const replay = (input: ReplaySignalsInput, workflowId = `replay-${randomUUID()}`) =>
    temporal.client.workflow.execute('replaySignalsWorkflow', { taskQueue: workflowQueue(config.taskQueue, 'replaySignalsWorkflow'), workflowId, args: [input] }) as Promise<ReplaySummary>;

  async function article(ticker: string, publishedAt: Date, score: number, modelVersion = 'hl-test'): Promise<string> {
    const [{ id }] = await db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`,
      [createHash('sha256').update(randomUUID()).digest('hex'), `${ticker} news ${randomUUID()}`, publishedAt.toISOString()],
    );
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 0.9, '{cashtag}', $3)`, [id, ticker, publishedAt.toISOString()]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, $2, $3, $4)`, [id, modelVersion, score > 0 ? 'positive' : 'negative', score]);
    return id;
  }

  const historyRow = async (ticker: string, asOf: Date, modelVersion = 'hl-test') =>
    (await db.query(`SELECT * FROM signal_history WHERE ticker = $1 AND as_of = $2 AND model_version = $3`, [ticker, asOf.toISOString(), modelVersion]))[0];

  it('a replayed signal at T equals the live one at T, ignores news published after T, and a re-run writes nothing', async () => {
    const ticker = `R${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
    expect((await importPrices(db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', 'AAPL_daily.tsv'), 'utf8') })).inserted).toBe(8696);
    const from = new Date('2015-05-26T00:00:00Z');
    const T = new Date('2015-06-01T00:00:00Z'); // a Monday bar
    const to = new Date('2015-06-05T00:00:00Z');
    // Two or three stories a day, mixed views, in the week before T (all published before T).
    for (let d = -8; d < 0; d++) {
      await article(ticker, new Date(T.getTime() + d * DAY + 14 * 3_600_000), d % 3 === 0 ? -0.4 : 0.7);
      await article(ticker, new Date(T.getTime() + d * DAY + 18 * 3_600_000), d % 2 === 0 ? 0.5 : 0.2);
    }
    const bars: Array<{ time: Date }> = await db.query(`SELECT time FROM price_bars WHERE ticker = $1 AND interval = '1d' AND time >= $2 AND time <= $3 ORDER BY time`, [ticker, from, T]);
    expect(bars.length).toBe(5);

    // The live path, run at each bar close up to T in order (as a live deployment would have).
    let liveAtT: ComputeSignalsResult | undefined;
    for (const b of bars) liveAtT = await live({ tickers: [ticker], asOf: new Date(b.time).toISOString() });
    const [liveSignal] = await db.query('SELECT * FROM signals WHERE id = $1', [liveAtT!.signals[0].id]);
    const liveArticles = ((await db.query('SELECT article_id FROM signal_articles WHERE signal_id = $1 ORDER BY article_id', [liveSignal.id])) as Array<{ article_id: string }>).map((r) => r.article_id);

    const first = await replay({ targets: [{ ticker, from: from.toISOString(), to: to.toISOString() }], modelVersion: 'hl-test', chunkDays: 3 });
    expect(first).toMatchObject({ status: 'COMPLETED', rulesVersion: signalRulesVersion(), modelVersion: 'hl-test', unchanged: 0 });
    // 9 bars between 26 May and 5 June; from 2 June on no story lies in the primary (1d) window (the
    // last three have no news even in their two-day lookback): the bars decide alone there
    // (PRICE_ONLY, as live; domain/signals/README.md "No recent news").
    expect(first).toMatchObject({ points: 9, written: 9 });
    const bases: Array<{ basis: string }> = await db.query(`SELECT features->>'basis' AS basis FROM signal_history WHERE ticker = $1 AND model_version = 'hl-test' ORDER BY as_of`, [ticker]);
    expect(bases.map((r) => r.basis)).toEqual([...Array(5).fill('NEWS'), ...Array(4).fill('PRICE_ONLY')]);
    const atT = await historyRow(ticker, T);
    expect(atT).toMatchObject({ type: liveSignal.type, confidence: liveSignal.confidence, risk_level: liveSignal.risk_level, suggested_position_size: liveSignal.suggested_position_size });
    // Every feature, news intensity and VSA included: live and replay share one path.
    expect(atT.features).toEqual(liveSignal.features);
    expect(atT.model_versions).toEqual(liveSignal.model_versions);
    expect([...atT.article_ids].sort()).toEqual(liveArticles);
    expect(atT.rules_version).toBe(signalRulesVersion());
    const [{ chunks_total, chunks_done }] = await db.query('SELECT chunks_total, chunks_done FROM signal_replays WHERE id = $1', [first.replayId]);
    expect(chunks_done).toBe(chunks_total);
    expect(chunks_total).toBe(4);

    // Same rules, same model, same data: nothing new.
    const again = await replay({ targets: [{ ticker, from: from.toISOString(), to: to.toISOString() }], modelVersion: 'hl-test', chunkDays: 30 });
    expect(again).toMatchObject({ points: 9, written: 0, unchanged: 9 });

    // News published after T (strongly negative) changes the later decisions, never the one at T.
    const [{ lastBefore }] = await db.query(`SELECT max(computed_at) AS "lastBefore" FROM signal_history WHERE ticker = $1 AND model_version = 'hl-test'`, [ticker]);
    await article(ticker, new Date(T.getTime() + 3_600_000), -0.9);
    await article(ticker, new Date(T.getTime() + 2 * DAY + 3_600_000), -0.9);
    const later = await replay({ targets: [{ ticker, from: from.toISOString(), to: to.toISOString() }], modelVersion: 'hl-test' });
    // 2 and 4 June now have a story in their primary window (news rules); 3 and 5 June have none, so
    // their decision stays price-only, but the news intensity they report (Hawkes, over the last
    // 14 days) now counts the two new articles: four rows rewritten; 26 May-1 June untouched.
    expect(later).toMatchObject({ written: 4, unchanged: 5 });
    const atTAfter = await historyRow(ticker, T);
    expect(atTAfter).toEqual(atT); // same row, same content, same computed_at: not rewritten
    const rows: Array<{ as_of: Date; computed_at: Date }> = await db.query(`SELECT as_of, computed_at FROM signal_history WHERE ticker = $1 AND model_version = 'hl-test' ORDER BY as_of`, [ticker]);
    const rewritten = rows.filter((r) => new Date(r.computed_at) > new Date(lastBefore)).map((r) => new Date(r.as_of).getTime());
    expect(rewritten.length).toBe(later.written);
    expect(rewritten.every((t) => t > T.getTime())).toBe(true);

    // A new model re-scores the news: a new series, the old one kept as it was.
    const ids: Array<{ article_id: string }> = await db.query(`SELECT article_id FROM article_tickers WHERE ticker = $1`, [ticker]);
    for (const { article_id } of ids) await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'hl-test-2', 'negative', -0.8)`, [article_id]);
    const rescored = await replay({ targets: [{ ticker, from: from.toISOString(), to: to.toISOString() }], modelVersion: 'hl-test-2' });
    expect(rescored).toMatchObject({ modelVersion: 'hl-test-2', written: 9, unchanged: 0 });
    expect((await historyRow(ticker, T, 'hl-test-2')).type).toBe('SELL');
    expect(await historyRow(ticker, T)).toEqual(atT);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM signal_history WHERE ticker = $1`, [ticker]);
    expect(n).toBe(18);

    // Old rules cannot be replayed by new code: refused without retries.
    await expect(replay({ targets: [{ ticker, from: from.toISOString(), to: to.toISOString() }], rulesVersion: 'r0-deadbeef' })).rejects.toThrow(/Workflow execution failed/);
  });

  it('intraday replays decide at each article arrival too, in their own series; a chunk resumed from its heartbeat finishes the same work', async () => {
    const ticker = `I${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
    await importPrices(db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', 'AAPL_daily.tsv'), 'utf8') });
    const day = Date.parse('2015-03-02T00:00:00Z'); // Monday
    const arrivals = [day + 14 * 3_600_000, day + 15 * 3_600_000, day + DAY + 16 * 3_600_000];
    const ids = [];
    for (const [i, t] of arrivals.entries()) ids.push(await article(ticker, new Date(t), i === 1 ? -0.3 : 0.8));
    const target = { ticker, from: new Date(day).toISOString(), to: new Date(day + 3 * DAY).toISOString() };
    const daily = await replay({ targets: [target], modelVersion: 'hl-test' });
    const intraday = await replay({ targets: [target], modelVersion: 'hl-test', intraday: true });
    expect(intraday.rulesVersion).toBe(signalRulesVersion() + INTRADAY_SUFFIX);
    expect(intraday.points).toBe(daily.points + arrivals.length); // 4 bar closes + 3 arrivals
    const rows: Array<{ as_of: Date; article_ids: string[] }> = await db.query(`SELECT as_of, article_ids FROM signal_history WHERE ticker = $1 AND rules_version = $2 ORDER BY as_of`, [ticker, intraday.rulesVersion]);
    for (const [i, t] of arrivals.entries()) {
      const at = rows.find((r) => new Date(r.as_of).getTime() === t);
      expect(at).toBeDefined();
      expect(at!.article_ids).toContain(ids[i]); // the arriving article counts at its own arrival
      for (const later of ids.slice(i + 1)) expect(at!.article_ids).not.toContain(later);
    }
    // The daily series was not touched by the intraday one.
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM signal_history WHERE ticker = $1 AND rules_version = $2`, [ticker, signalRulesVersion()]);
    expect(n).toBe(daily.written);

    // The chunk activity itself, resumed from a heartbeat halfway: it skips what was done and carries the counts on.
    const acts = signalReplayActivities(db, log);
    await db.query(`DELETE FROM signal_history WHERE ticker = $1`, [ticker]);
    const plan = { replayId: `resume-${randomUUID()}`, rulesVersion: intraday.rulesVersion, modelVersion: 'hl-test', intraday: true };
    const chunk = { key: 'k', ...target };
    const whole = (await new MockActivityEnvironment().run(acts.replaySignalChunk, plan, chunk)) as ReplayChunkResult;
    await db.query(`DELETE FROM signal_history WHERE ticker = $1 AND as_of > $2`, [ticker, new Date(arrivals[1]).toISOString()]);
    // Decisions up to the second arrival: the bar at midnight (no news yet: a price-only signal) and two arrivals.
    const resumed = (await new MockActivityEnvironment({ heartbeatDetails: { after: arrivals[1], points: 3, written: 3, unchanged: 0 } }).run(acts.replaySignalChunk, plan, chunk)) as ReplayChunkResult;
    expect(resumed).toEqual(whole);
  });

  it("the issue's scenario: AAPL bars and past-dated $AAPL articles across 2014-2015, imported, replay themselves; a SIGNALS backtest trades them", async () => {
    await importPrices(db, { ticker: 'AAPL', csv: fs.readFileSync(sharedDataPath('prices', 'AAPL_daily.tsv'), 'utf8') });
    // 260 real headlines (Twitter financial news), their cashtags pointed at $AAPL, two a day on 130 trading days.
    const lines = fs.readFileSync(sharedDataPath('sentiment', 'twitter-financial-news', 'valid.csv'), 'utf8').split('\n').slice(1);
    const texts = lines
      .map((l) => l.replace(/^"|",\d$|,\d$/g, '').replace(/https?:\/\/\S+/g, '').replace(/\$[A-Za-z]{1,5}\b/g, '').trim())
      .filter((t) => t.length > 20 && t.length < 200 && !/"/.test(t))
      .slice(0, 260);
    expect(texts).toHaveLength(260);
    const days: Array<{ time: Date }> = await db.query(`SELECT time FROM price_bars WHERE ticker = 'AAPL' AND interval = '1d' AND time >= '2014-01-02' AND time < '2015-06-01' ORDER BY time`);
    const step = days.length / 130;
    const items = texts.map((t, i) => {
      const day = new Date(days[Math.floor(Math.floor(i / 2) * step)].time).getTime();
      return { title: `$AAPL ${t}`, url: `https://example.com/aapl-history/${i}`, publishedAt: new Date(day + (13 + (i % 2) * 3) * 3_600_000).toISOString() };
    });
    const articles = new ArticleService(db, temporal.client, config.taskQueue);
    const report = await articles.import(items);
    expect(report.errors).toEqual([]);
    expect(report.insertedIds).toHaveLength(260);
    const scoring = `score-import-${report.insertedIds[0]}`;
    await temporal.client.workflow.getHandle(scoring).result();
    const replayed = (await temporal.client.workflow.getHandle(`${scoring}-replay`).result()) as ReplaySummary;
    expect(replayed.status).toBe('COMPLETED');
    expect(replayed.written).toBeGreaterThan(100);
    const [{ n, first, last }] = await db.query(`SELECT count(*)::int AS n, min(as_of) AS first, max(as_of) AS last FROM signal_history WHERE ticker = 'AAPL' AND model_version = $1`, [replayed.modelVersion]);
    expect(n).toBe(replayed.written);
    expect(new Date(first).getTime()).toBeGreaterThanOrEqual(Date.parse('2014-01-02'));
    expect(new Date(last).getTime()).toBeLessThan(Date.parse('2015-06-05'));
    // Signals stamped in the past are visible point in time (asOf 2014-06-01 has history).
    const [{ before }] = await db.query(`SELECT count(*)::int AS before FROM signal_history WHERE ticker = 'AAPL' AND as_of <= '2014-06-01'`);
    expect(before).toBeGreaterThan(20);

    const [{ lastImportRow }] = await db.query(`SELECT max(computed_at) AS "lastImportRow" FROM signal_history WHERE ticker = 'AAPL' AND model_version = $1`, [replayed.modelVersion]);
    const input: StartBacktestInput = { ticker: 'AAPL', from: '2014-01-01', to: '2015-06-08', strategy: { kind: 'signals' }, permutations: 200, seed: 5 };
    const run = await startBacktest(db, temporal.client, config.taskQueue, input);
    const outcome = (await temporal.client.workflow.getHandle(run.workflowId!).result()) as BacktestOutcome;
    expect(outcome.status).toBe('COMPLETED');
    const done = (await getBacktest(db, run.id))!;
    const m = done.metrics as Record<string, unknown> & { signals: number; trades: number; actionableSignals: number };
    expect(m.signals).toBeGreaterThanOrEqual(replayed.written);
    expect(m.actionableSignals).toBeGreaterThan(0);
    expect(m.trades).toBeGreaterThan(0);
    expect(m.signalSource).toEqual({ kind: 'replay', rulesVersion: signalRulesVersion(), modelVersion: replayed.modelVersion });
    expect(done.params).toMatchObject({ strategy: { kind: 'signals', source: 'replay', rulesVersion: signalRulesVersion(), modelVersion: replayed.modelVersion } });
    expect(done.pValue).toBeGreaterThan(0);
    // The backtest's own replay found the import's history up to date: it only added the price-only
    // decisions of its wider period that had no news (no row of the import's replay rewritten).
    const own = (await temporal.client.workflow.getHandle(`${run.workflowId}-replay`).result()) as ReplaySummary;
    const added: Array<{ basis: string }> = await db.query(
      `SELECT features->>'basis' AS basis FROM signal_history WHERE ticker = 'AAPL' AND model_version = $1 AND rules_version = $2 AND computed_at > $3`,
      [replayed.modelVersion, signalRulesVersion(), lastImportRow],
    );
    expect(added.length).toBeGreaterThanOrEqual(own.written); // (other replays of the import may finish late)
    expect(added.every((r) => r.basis === 'PRICE_ONLY')).toBe(true);
    expect(own.unchanged).toBeGreaterThanOrEqual(replayed.written);
  });

  it('a SIGNALS backtest over a period without signals fails and says why (never a silent zero)', async () => {
    const ticker = `Q${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
    await importPrices(db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', 'AAPL_daily.tsv'), 'utf8') });
    // December 1980: the file's first 13 bars, no news, and too few bars for any technical vote
    // (RSI needs 15 closes, the slow EMA 26): no signal, not even a price-only one.
    for (const source of ['replay', 'live'] as const) {
      const run = await startBacktest(db, temporal.client, config.taskQueue, { ticker, from: '1980-12-01', to: '1980-12-31', strategy: { kind: 'signals', source }, permutations: 10 });
      await expect(temporal.client.workflow.getHandle(run.workflowId!).result()).rejects.toThrow();
      const failed = (await getBacktest(db, run.id))!;
      expect(failed.status).toBe(BacktestStatus.FAILED);
      expect(failed.error).toMatch(source === 'replay' ? /no replayed signals \(rules r\d+-[0-9a-f]{8}, model .+\) for Q/ : /no live signals for Q.*signalSource REPLAY/);
    }
  });
});
