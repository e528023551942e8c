/**
 * The data-access layer (store/) against the real PostgreSQL, for the rules the services rely
 * on it to keep (issue 20): idempotent price writes, a sweep that completes once and keeps its
 * result, flag changes with their audit row, and the login-failure window.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SweepParams } from '../../contracts';
import { createDataSource } from '../../db/data-source';
import { SweepKind } from '../../entities';
import { deactivateUser } from '../../store/credential-store';
import { changeFlag, storedFlag } from '../../store/feature-flag-store';
import { countLoginAttempt, forgetLoginAttempts } from '../../store/login-failure-store';
import { countPriceBars, priceBarsBetween, PriceFileError, writePriceFile } from '../../store/price-bar-store';
import { completeSweep, insertSweep, markSweepTerminal, startSweepRun, sweepStatus } from '../../store/sweep-store';
import { testEnv } from '../support/stack';

const csv = (closes: number[]) => ['date,open,high,low,close,volume', ...closes.map((c, i) => `2024-01-${String(i + 2).padStart(2, '0')},${c},${c + 1},${c - 1},${c},1000`)].join('\n');
const uniqueTicker = () => `Z${randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`;

describe('store/ against PostgreSQL', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('writes a price file once: the same file again inserts and updates nothing, a corrected bar is one update', async () => {
    const ticker = uniqueTicker();
    const first = await writePriceFile(db, { ticker, interval: '1d', csv: csv([10, 11, 12, 13]) });
    expect(first).toMatchObject({ ticker, bars: 4, inserted: 4, updated: 0, unchanged: 0, rejectedCount: 0 });
    const again = await writePriceFile(db, { ticker, interval: '1d', csv: csv([10, 11, 12, 13]) });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    const corrected = await writePriceFile(db, { ticker, interval: '1d', csv: csv([10, 11, 12.5, 13]) });
    expect(corrected).toMatchObject({ inserted: 0, updated: 1, unchanged: 3 });
    expect(await countPriceBars(db, ticker, '1d', '2024-01-01', '2024-01-31')).toBe(4);
    // The newest `limit` bars of the window, oldest first.
    const bars = await priceBarsBetween(db, ticker, '1d', new Date('2024-01-01'), new Date('2024-01-31'), 2);
    expect(bars.map((b) => [b.time.toISOString().slice(0, 10), b.close])).toEqual([
      ['2024-01-04', 12.5],
      ['2024-01-05', 13],
    ]);
  });

  it('refuses a file without a close column as a whole, storing nothing', async () => {
    const ticker = uniqueTicker();
    await expect(writePriceFile(db, { ticker, interval: '1d', csv: 'when,what\n2024-01-02,x' })).rejects.toBeInstanceOf(PriceFileError);
    expect(await countPriceBars(db, ticker, '1d', '2000-01-01', '2100-01-01')).toBe(0);
  });

  it('a sweep runs, completes once, and a late cancel or failure does not overwrite its result', async () => {
    const params = { configs: [{ overrides: {}, params: {} }, { overrides: {}, params: {} }] } as unknown as SweepParams;
    const { id, workflowId } = await insertSweep(db, { kind: SweepKind.SWEEP, name: 'store test', params, createdBy: null }, (id) => `sweep-${id}`);
    expect(workflowId).toBe(`sweep-${id}`);
    expect(await sweepStatus(db, id)).toBe('PENDING');
    expect(await startSweepRun(db, id)).toMatchObject({ kind: 'SWEEP' });
    expect(await completeSweep(db, id, { bestIndex: 1, pValue: 0.04, pValueBestAlone: 0.01, permutations: 100 })).toBe(1);
    expect(await completeSweep(db, id, { bestIndex: 0, pValue: 0.9, pValueBestAlone: 0.9, permutations: 1 })).toBe(0);
    await markSweepTerminal(db, id, 'CANCELLED', null);
    expect(await sweepStatus(db, id)).toBe('COMPLETED');
    const [row] = (await db.query(`SELECT best_index, p_value, permutations_done FROM parameter_sweeps WHERE id = $1`, [id])) as Array<{ best_index: number; p_value: number; permutations_done: number }>;
    expect(row).toEqual({ best_index: 1, p_value: 0.04, permutations_done: 100 });
    // Ended runs cannot be started again.
    expect(await startSweepRun(db, id)).toBeUndefined();
  });

  it('changes a flag with an audit row holding the true old value', async () => {
    const key = `store_test_${randomUUID().slice(0, 8)}`;
    expect(await storedFlag(db, key)).toBeUndefined();
    const actor = randomUUID();
    await changeFlag(db, key, actor, () => ({ enabled: true, description: 'first' }));
    await changeFlag(db, key, actor, (old) => ({ enabled: !old!.enabled, description: old!.description }));
    expect(await storedFlag(db, key)).toBe(false);
    const audit = (await db.query(`SELECT old_enabled, new_enabled, old_description, new_description FROM feature_flag_audit WHERE flag_key = $1 ORDER BY id`, [key])) as unknown[];
    expect(audit).toEqual([
      { old_enabled: null, new_enabled: true, old_description: null, new_description: 'first' },
      { old_enabled: true, new_enabled: false, old_description: 'first', new_description: 'first' },
    ]);
  });

  it('counts login failures per key up to the limit, then answers with the wait and counts nothing', async () => {
    const key = `email:store-test-${randomUUID()}`;
    const keys = [{ key, limit: 2 }];
    const one = await countLoginAttempt(db, keys, 60);
    const two = await countLoginAttempt(db, keys, 60);
    expect(one).toHaveProperty('attemptIds');
    expect(two).toHaveProperty('attemptIds');
    const refused = await countLoginAttempt(db, keys, 60);
    expect(refused).toEqual({ retryAfterSeconds: expect.any(Number) });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(60);
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM login_failures WHERE key = $1`, [key])) as Array<{ n: number }>;
    expect(n).toBe(2);
    // A right password forgets the key's failures: the next attempt counts again.
    await forgetLoginAttempts(db, [], key);
    expect(await countLoginAttempt(db, keys, 60)).toHaveProperty('attemptIds');
  });

  it('deactivating a user who does not exist changes nothing and says so', async () => {
    expect(await deactivateUser(db, randomUUID())).toBe(false);
  });
});
