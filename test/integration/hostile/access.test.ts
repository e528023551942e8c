/**
 * Issue 11's access defects, each with the issue's own input: D13 (no throttle on the password
 * exchange), D14 (the rate limiter refused bursts under the limit) and D15 (anyone could act on
 * anyone's backtest; likewise for the other per-user objects).
 */
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Role } from '../../../entities';
import { bcryptSlots, MAX_CONCURRENT_BCRYPT } from '../../../services/user.service';
import { createIdentity, type TestIdentity } from '../../support/access';
import { fetchFrom, randomLoopbackAddress, startTestStack, subscribe, type TestStack } from '../../support/stack';
import { kill, startApiChild } from '../../support/worker-child-process';

type Gql = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
const code = (r: Gql) => r.errors?.[0]?.extensions?.code;
const EXCHANGE = 'mutation($e: String!, $p: String!) { createApiKeyWithPassword(email: $e, password: $p, name: "n") { key } }';

describe('hostile access (issue 11: D13, D14, D15)', () => {
  let stack: TestStack;
  let admin: TestIdentity;

  beforeAll(async () => {
    stack = await startTestStack();
    admin = await createIdentity(stack.api.db, Role.ADMIN);
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** POSTs from a loopback address of the test's own, so its failures count against no one else. */
  type Post = (query: string, variables?: Record<string, unknown>, url?: string, headers?: Record<string, string>) => Promise<Gql>;
  async function fromAddress<T>(address: string, run: (post: Post) => Promise<T>): Promise<T> {
    const client = fetchFrom(address);
    try {
      return await run(async (query, variables, url = stack.graphqlUrl, headers = {}) => {
        const res = await client.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
        return (await res.json()) as Gql;
      });
    } finally {
      await client.close();
    }
  }

  describe('D13: the password exchange is throttled', () => {
    it('200 wrong passwords for one email: 10 are checked, the other 190 are RATE_LIMITED with retryAfterSeconds, on every replica', async () => {
      const victim = await createIdentity(stack.api.db, Role.USER);
      const replica = await startTestStack();
      try {
        await fromAddress(randomLoopbackAddress(), async (post) => {
          const answers: Gql[] = [];
          for (let i = 0; i < 200; i++) answers.push(await post(EXCHANGE, { e: victim.user.email, p: `wrong password ${i}` }));
          expect(answers.slice(0, 10).map(code)).toEqual(Array(10).fill('UNAUTHENTICATED'));
          expect(answers.slice(10).map(code)).toEqual(Array(190).fill('RATE_LIMITED'));
          const retry = answers[10]!.errors![0].extensions!.retryAfterSeconds as number;
          expect(retry).toBeGreaterThan(800);
          expect(retry).toBeLessThanOrEqual(900);
          // The right password is refused too until the window has passed: no bcrypt oracle.
          expect(code(await post(EXCHANGE, { e: victim.user.email, p: victim.password }))).toBe('RATE_LIMITED');
          // Stored in PostgreSQL: another API replica counts the same failures.
          expect(code(await post(EXCHANGE, { e: victim.user.email, p: victim.password }, replica.graphqlUrl))).toBe('RATE_LIMITED');
        });
      } finally {
        await replica.stop();
      }
    });

    it('an unknown email is counted exactly like a known one (the throttle tells nothing about who exists)', async () => {
      await fromAddress(randomLoopbackAddress(), async (post) => {
        const email = `nobody-${randomUUID()}@example.test`;
        const answers: Gql[] = [];
        for (let i = 0; i < 11; i++) answers.push(await post(EXCHANGE, { e: email, p: `wrong password ${i}` }));
        expect(answers.map(code)).toEqual([...Array(10).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
        expect(answers[0]!.errors![0].message).toBe('wrong email or password, or the user is deactivated');
      });
    });

    it('30 failures from one client address, even for different emails and 20 at once, then RATE_LIMITED; bcrypt never runs on more than half the cores at a time', async () => {
      const someone = await createIdentity(stack.api.db, Role.USER);
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, bcryptSlots.inUse)), 1);
      try {
        await fromAddress(randomLoopbackAddress(), async (post) => {
          // 20 connections at once, each a different email (no per-email limit reached).
          const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => post(EXCHANGE, { e: `spray-${i}-${randomUUID()}@example.test`, p: 'wrong password!' })));
          expect(burst.map(code)).toEqual(Array(20).fill('UNAUTHENTICATED'));
          for (let i = 0; i < 10; i++) expect(code(await post(EXCHANGE, { e: `spray-more-${i}-${randomUUID()}@example.test`, p: 'wrong password!' }))).toBe('UNAUTHENTICATED');
          const limited = await post(EXCHANGE, { e: someone.user.email, p: someone.password });
          expect(code(limited)).toBe('RATE_LIMITED');
          expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(800);
        });
        // The same user from another address is not affected by that address's failures.
        const ok = await fromAddress(randomLoopbackAddress(), (post) => post(EXCHANGE, { e: someone.user.email, p: someone.password }));
        expect(ok.errors).toBeUndefined();
      } finally {
        clearInterval(sampler);
      }
      expect(peak).toBeGreaterThanOrEqual(1);
      expect(peak).toBeLessThanOrEqual(MAX_CONCURRENT_BCRYPT);
    });

    it('a successful exchange forgives the email its earlier typos', async () => {
      const user = await createIdentity(stack.api.db, Role.USER);
      await fromAddress(randomLoopbackAddress(), async (post) => {
        for (let i = 0; i < 9; i++) expect(code(await post(EXCHANGE, { e: user.user.email, p: `typo ${i} password` }))).toBe('UNAUTHENTICATED');
        expect((await post(EXCHANGE, { e: user.user.email, p: user.password })).errors).toBeUndefined();
        for (let i = 0; i < 9; i++) expect(code(await post(EXCHANGE, { e: user.user.email, p: `typo again ${i}` }))).toBe('UNAUTHENTICATED');
      });
    });
  });

  describe('D14: bursts up to the per-minute allowance pass', () => {
    it('a fresh user key (600/min) sending 50 concurrent requests: none RATE_LIMITED; 600 concurrent: none either', async () => {
      const fresh = await createIdentity(stack.api.db, Role.USER);
      const fifty = await Promise.all(Array.from({ length: 50 }, () => stack.gql('{ me { id } }', undefined, fresh.headers)));
      expect(fifty.filter((r) => r.errors).map(code)).toEqual([]);
      const another = await createIdentity(stack.api.db, Role.USER);
      const all = await Promise.all(Array.from({ length: 600 }, () => stack.gql('{ me { id } }', undefined, another.headers)));
      expect(all.filter((r) => r.errors).map(code)).toEqual([]);
    });

    it('1,000 operations on one admin socket (3000/min): none RATE_LIMITED', async () => {
      const socketAdmin = await createIdentity(stack.api.db, Role.ADMIN);
      const ws = stack.ws(socketAdmin.params);
      const ops = Array.from({ length: 1000 }, () => subscribe<{ me: { id: string } }>(ws, '{ me { id } }'));
      await Promise.all(ops.map((o) => o.done));
      const limited = ops.filter((o) => JSON.stringify(o.completion()?.error ?? o.received).includes('RATE_LIMITED'));
      expect(limited).toHaveLength(0);
      expect(ops.filter((o) => o.received[0]?.data?.me.id === socketAdmin.user.id)).toHaveLength(1000);
    });

    it('across two API processes: exactly the allowance passes at once and one over is RATE_LIMITED (30/min)', async () => {
      const env = { RATE_LIMIT_USER_PER_MIN: '30' };
      const local = await startTestStack({ env });
      let child: ChildProcess | undefined;
      try {
        const other = await startApiChild(local.config.taskQueue, env);
        child = other.child;
        const key = await createIdentity(local.api.db, Role.USER);
        await fromAddress(randomLoopbackAddress(), async (post) => {
          const me = (url: string) => post('{ me { id } }', undefined, url, key.headers);
          // 30 at once, 17 to this process and 13 to the other.
          const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => me(i < 17 ? local.graphqlUrl : other.graphqlUrl)));
          expect(burst.filter((r) => r.errors).map(code)).toEqual([]);
          const over = await me(other.graphqlUrl);
          expect(code(over)).toBe('RATE_LIMITED');
          expect(over.errors![0].extensions!.retryAfterSeconds).toBe(2); // 30/min: a token every 2 s
          expect(code(await me(local.graphqlUrl))).toBe('RATE_LIMITED');
        });
      } finally {
        if (child) await kill(child);
        await local.stop();
      }
    });
  });

  describe('D15: per-user objects belong to their owner; admins may act on all', () => {
    let owner: TestIdentity;
    let intruder: TestIdentity;
    const ticker = `O${randomUUID().replace(/[^A-Z]/gi, '').slice(0, 5).toUpperCase()}`;
    const RUN = 'mutation($t: String!) { runBacktest(input: { ticker: $t, from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z", strategy: SIGNALS, permutations: 0 }) { id status } }';

    beforeAll(async () => {
      owner = await createIdentity(stack.api.db, Role.USER);
      intruder = await createIdentity(stack.api.db, Role.USER);
      const rows = Array.from({ length: 10 }, (_, i) => `2024-01-${String(i + 2).padStart(2, '0')},10,11,9,10.5,1000`).join('\n');
      const imported = await stack.gql('mutation($t: String!, $c: String!) { importPrices(ticker: $t, csv: $c) { bars } }', { t: ticker, c: `date,open,high,low,close,volume\n${rows}` }, admin.headers);
      expect(imported.errors).toBeUndefined();
    });

    async function run(who: TestIdentity): Promise<string> {
      const r = await stack.gql<{ runBacktest: { id: string; status: string } }>(RUN, { t: ticker }, who.headers);
      expect(r.errors).toBeUndefined();
      return r.data!.runBacktest.id;
    }
    const status = async (id: string) => ((await stack.api.db.query('SELECT status FROM backtest_runs WHERE id = $1', [id])) as Array<{ status: string }>)[0]!.status;

    it("backtests: a USER key cannot cancel, read, list, compare or follow someone else's backtest (an admin's running one included)", async () => {
      const adminRun = await run(admin);
      const ownerRun = await run(owner);
      // The exact defect: a USER key cancelled an admin's running backtest.
      const cancel = await stack.gql('mutation($id: ID!) { cancelBacktest(id: $id) { id status } }', { id: adminRun }, intruder.headers);
      expect(code(cancel)).toBe('NOT_FOUND');
      expect(['PENDING', 'RUNNING']).toContain(await status(adminRun));
      expect(code(await stack.gql('mutation($id: ID!) { cancelBacktest(id: $id) { id } }', { id: ownerRun }, intruder.headers))).toBe('NOT_FOUND');
      // Read: someone else's run is indistinguishable from none.
      const read = await stack.gql<{ backtest: unknown }>('query($id: ID!) { backtest(id: $id) { id } }', { id: ownerRun }, intruder.headers);
      expect(read.errors).toBeUndefined();
      expect(read.data!.backtest).toBeNull();
      const listed = await stack.gql<{ backtests: Array<{ id: string }> }>('{ backtests(first: 100) { id } }', undefined, intruder.headers);
      expect(listed.data!.backtests.map((b) => b.id)).not.toContain(ownerRun);
      expect(listed.data!.backtests.map((b) => b.id)).not.toContain(adminRun);
      const compared = await stack.gql('query($ids: [ID!]!) { compareBacktests(ids: $ids) { id } }', { ids: [ownerRun] }, intruder.headers);
      expect(code(compared)).toBe('NOT_FOUND');
      // Follow: the progress subscription is refused before anything is delivered.
      const sub = subscribe(stack.ws(intruder.params), 'subscription($id: ID!) { backtestProgress(id: $id) { id done status } }', { id: ownerRun });
      await sub.done;
      expect(JSON.stringify(sub.completion()?.error ?? sub.received)).toContain('NOT_FOUND');
    });

    it('backtests: the owner reads, lists, compares, follows and cancels their own; an admin may cancel anyone’s', async () => {
      const mine = await run(owner);
      const second = await run(owner);
      const read = await stack.gql<{ backtest: { id: string } }>('query($id: ID!) { backtest(id: $id) { id } }', { id: mine }, owner.headers);
      expect(read.data!.backtest.id).toBe(mine);
      const listed = await stack.gql<{ backtests: Array<{ id: string }> }>('{ backtests(first: 100) { id } }', undefined, owner.headers);
      expect(listed.data!.backtests.map((b) => b.id)).toEqual(expect.arrayContaining([mine, second]));
      const compared = await stack.gql<{ compareBacktests: Array<{ id: string }> }>('query($ids: [ID!]!) { compareBacktests(ids: $ids) { id } }', { ids: [mine] }, owner.headers);
      expect(compared.data!.compareBacktests.map((c) => c.id)).toEqual([mine]);
      const sub = subscribe<{ backtestProgress: { id: string; status: string } }>(stack.ws(owner.params), 'subscription($id: ID!) { backtestProgress(id: $id) { id status } }', { id: mine });
      await new Promise((r) => setTimeout(r, 300)); // subscribed before the event
      const cancelled = await stack.gql<{ cancelBacktest: { status: string } }>('mutation($id: ID!) { cancelBacktest(id: $id) { id status } }', { id: mine }, owner.headers);
      expect(cancelled.data!.cancelBacktest.status).toBe('CANCELLED');
      const event = await sub.next((e) => e.data?.backtestProgress.status === 'CANCELLED');
      expect(event.data!.backtestProgress.id).toBe(mine);
      sub.dispose();
      const byAdmin = await stack.gql<{ cancelBacktest: { status: string } }>('mutation($id: ID!) { cancelBacktest(id: $id) { id status } }', { id: second }, admin.headers);
      expect(byAdmin.data!.cancelBacktest.status).toBe('CANCELLED');
      const adminList = await stack.gql<{ backtests: Array<{ id: string }> }>('{ backtests(first: 100) { id } }', undefined, admin.headers);
      expect(adminList.data!.backtests.map((b) => b.id)).toEqual(expect.arrayContaining([mine, second]));
    });

    it("API keys: a USER key cannot revoke or list someone else's key; the owner and an admin can revoke it", async () => {
      const victim = await createIdentity(stack.api.db, Role.USER);
      const revoke = await stack.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id: victim.apiKeyId }, intruder.headers);
      expect(code(revoke)).toBe('NOT_FOUND');
      expect((await stack.gql('{ me { id } }', undefined, victim.headers)).errors).toBeUndefined(); // still works
      const listed = await stack.gql<{ apiKeys: Array<{ id: string }> }>('{ apiKeys { id } }', undefined, intruder.headers);
      expect(listed.data!.apiKeys.map((k) => k.id)).toEqual([intruder.apiKeyId]);
      const other = await createIdentity(stack.api.db, Role.USER);
      expect((await stack.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: other.apiKeyId }, other.headers)).errors).toBeUndefined();
      expect((await stack.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: victim.apiKeyId }, admin.headers)).errors).toBeUndefined();
    });
  });
});
