/**
 * RateLimitService.consume() against the real PostgreSQL bucket (issue 12: it was only checked
 * by a loose bound). Two services on two connection pools stand for two API replicas.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../db/data-source';
import { RateLimitService, type RateDecision } from '../../services/rate-limit.service';
import { TAKE_TOKENS_SQL } from '../../store/rate-limit-store';
import { testEnv } from '../support/stack';

describe('RateLimitService.consume (shared token bucket)', () => {
  let dbA: DataSource;
  let dbB: DataSource;

  beforeAll(async () => {
    dbA = createDataSource(testEnv().databaseUrl, { poolSize: 4 });
    dbB = createDataSource(testEnv().databaseUrl, { poolSize: 4 });
    await Promise.all([dbA.initialize(), dbB.initialize()]);
  });
  afterAll(async () => {
    await Promise.all([dbA.destroy(), dbB.destroy()]);
  });

  const key = () => `test:${randomUUID()}`;
  const denied = (ds: RateDecision[]) => ds.filter((d) => !d.ok).length;

  it('a burst of exactly the per-minute allowance passes across two replicas (600/min, 600 at once)', async () => {
    const [a, b] = [new RateLimitService(dbA), new RateLimitService(dbB)];
    const k = key();
    const decisions = await Promise.all(Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? a : b).consume(k, 600)));
    expect(denied(decisions)).toBe(0);
  });

  it('at the limit every request passes and one over is refused, across replicas (60/min: 1 token per second)', async () => {
    const [a, b] = [new RateLimitService(dbA), new RateLimitService(dbB)];
    const k = key();
    // An uneven split: with leases, one replica's unused tokens were lost to the other.
    const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => (i < 37 ? a : b).consume(k, 60)));
    expect(denied(burst)).toBe(0);
    const over = await b.consume(k, 60);
    expect(over).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('concurrent requests for one key share database calls and take exactly the tokens they use', async () => {
    const service = new RateLimitService(dbA);
    const k = key();
    const calls = jest.spyOn(dbA, 'query');
    try {
      const decisions = await Promise.all(Array.from({ length: 50 }, () => service.consume(k, 600)));
      expect(denied(decisions)).toBe(0);
      // The first request's call, then one call for the 49 that queued behind it.
      expect(calls.mock.calls.filter(([sql]) => String(sql).includes('tidings_take_tokens'))).toHaveLength(2);
    } finally {
      calls.mockRestore();
    }
    const [{ tokens }] = await dbA.query('SELECT tokens FROM rate_limit_buckets WHERE bucket_key = $1', [k]);
    // 600 - 50 taken, plus whatever refilled in the few milliseconds the burst took.
    expect(Number(tokens)).toBeGreaterThanOrEqual(550);
    expect(Number(tokens)).toBeLessThan(560);
  });

  it("the bucket call skips the WAL flush for its own transaction only, and its tokens are at once visible to another replica", async () => {
    const runner = dbA.createQueryRunner();
    try {
      const k = key();
      await runner.startTransaction();
      const [taken] = await runner.query(TAKE_TOKENS_SQL, [k, 60, 1, 5]);
      expect(Number(taken.granted)).toBe(5);
      expect((await runner.query('SHOW synchronous_commit'))[0].synchronous_commit).toBe('off');
      await runner.commitTransaction();
      // The connection's own setting is untouched: other statements on it still commit durably.
      expect((await runner.query('SHOW synchronous_commit'))[0].synchronous_commit).toBe('on');
      await runner.query(TAKE_TOKENS_SQL, [k, 60, 1, 1]);
      expect((await runner.query('SHOW synchronous_commit'))[0].synchronous_commit).toBe('on');
      const [{ tokens }] = await dbB.query('SELECT tokens FROM rate_limit_buckets WHERE bucket_key = $1', [k]);
      expect(Number(tokens)).toBeGreaterThanOrEqual(54);
      expect(Number(tokens)).toBeLessThan(55);
    } finally {
      await runner.release();
    }
  });

  it('a denied key is blocked locally until one token has refilled, then asks the bucket again', async () => {
    const service = new RateLimitService(dbA);
    const k = key();
    // 600/min: capacity 600, one token every 100 ms.
    expect(denied(await Promise.all(Array.from({ length: 600 }, () => service.consume(k, 600))))).toBe(0);
    const calls = jest.spyOn(dbA, 'query');
    try {
      // A token refills every 100 ms: on a slow machine the 600 above may have taken longer, so
      // take what refilled meanwhile until the bucket says no.
      let first = await service.consume(k, 600);
      for (let i = 0; first.ok && i < 100; i++) first = await service.consume(k, 600);
      expect(first).toEqual({ ok: false, retryAfterSeconds: 1 });
      const asked = calls.mock.calls.length;
      // While blocked: answered locally, without the database.
      const blocked = await Promise.all(Array.from({ length: 20 }, () => service.consume(k, 600)));
      expect(blocked.every((d) => !d.ok && d.retryAfterSeconds === 1)).toBe(true);
      expect(calls.mock.calls.length).toBe(asked);
      // Once a token has refilled the bucket is asked again, and grants it.
      await new Promise((r) => setTimeout(r, 150));
      expect(await service.consume(k, 600)).toEqual({ ok: true });
      expect(calls.mock.calls.length).toBe(asked + 1);
    } finally {
      calls.mockRestore();
    }
  });

  it('a database error fails the requests waiting on it and leaves the key usable (nothing hangs)', async () => {
    const service = new RateLimitService(dbA);
    // PostgreSQL refuses a NUL in text: a real error from the real bucket function.
    const bad = `test:${randomUUID()}\u0000`;
    await expect(service.consume(bad, 600)).rejects.toThrow(/0x00|invalid byte sequence/);
    await expect(Promise.all([service.consume(bad, 600), service.consume(bad, 600)])).rejects.toThrow(/0x00|invalid byte sequence/);
  });
});
