/**
 * The workflows' branching logic, with stubbed activities: retries, cancellation, chunking and
 * continue-as-new (backtest permutation chunks, backfill continue-as-new, signal replay chunks,
 * sweeps, webhook delivery retries). A local Temporal dev server (the pinned CLI in .tools/bin, or
 * TEMPORAL_CLI_PATH) and one worker over the real workflow bundle; no database. The real-worker
 * integration tests (test/integration) still cover the activities themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { PermutationChunkResult } from '../domain/backtest';
import { backtestWorkflow } from './backtest.workflow';
import { backfillSentimentWorkflow } from './sentiment.workflow';
import { replayProgressQuery, replaySignalsWorkflow } from './signal-replay.workflow';
import { parameterSweepWorkflow } from './sweep.workflow';
import { deliverWebhookEventWorkflow, retryDeliveriesSignal } from './webhook.workflow';

jest.setTimeout(120_000);

const cliPath = process.env.TEMPORAL_CLI_PATH ?? path.resolve(__dirname, '../.tools/bin/temporal');
const TASK_QUEUE = 'workflow-unit-tests';

/** The activities a test stubs; every call is recorded by name. */
type Stubs = Partial<Record<keyof Activities, (...args: never[]) => unknown>>;
let stubs: Stubs = {};
const calls: Array<{ name: string; args: unknown[] }> = [];
const called = (name: keyof Activities) => calls.filter((c) => c.name === name);

/** The activities of the workflows under test; each one records its call, then runs its stub. */
const ACTIVITY_NAMES: string[] = [
  'runBacktestCore', 'runBacktestPermutations', 'finishBacktest', 'markBacktestCancelled', 'markBacktestFailed',
  'backtestReplayTarget', 'pinBacktestSignalSource', 'resolveModelVersion', 'modelTierOf',
  'scoreArticles', 'findUnscoredArticles', 'findPastDatedReplayTargets',
  'attemptWebhookDeliveries', 'failWebhookDeliveries',
  'planSignalReplay', 'replaySignalChunk', 'finishSignalReplay',
  'planSweep', 'runSweepConfig', 'runSweepPermutations', 'finishSweep', 'markSweepTerminal',
];

const activities = Object.fromEntries(
  ACTIVITY_NAMES.map((name) => [
    name,
    async (...args: unknown[]) => {
      calls.push({ name, args });
      const stub = stubs[name as keyof Activities] as ((...a: unknown[]) => unknown) | undefined;
      if (!stub) throw ApplicationFailure.nonRetryable(`activity ${name} is not stubbed in this test`);
      return stub(...args);
    },
  ]),
) as unknown as Activities;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

const describeIfCli = fs.existsSync(cliPath) ? describe : describe.skip;

describeIfCli('workflows with stubbed activities', () => {
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cliPath } } });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowsPath: require.resolve('./index'),
      activities,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  beforeEach(() => {
    stubs = {};
    calls.length = 0;
  });

  const start = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, args: A) =>
    env.client.workflow.start(fn, { taskQueue: TASK_QUEUE, workflowId: `${fn.name}-${randomUUID()}`, args });

  describe('backtestWorkflow', () => {
    const chunk = (start: number, end: number): PermutationChunkResult => ({ start, end, atLeastAsGood: 1, permutations: end - start }) as PermutationChunkResult;

    it('runs one permutation activity per chunk, retries a failed chunk and finishes with every chunk in order', async () => {
      let failures = 0;
      stubs = {
        backtestReplayTarget: () => null,
        runBacktestCore: () => ({ total: 300, seed: 7, chunks: [{ start: 0, end: 100 }, { start: 100, end: 200 }, { start: 200, end: 300 }] }),
        runBacktestPermutations: ((_: string, __: number, s: number, e: number) => {
          if (s === 100 && failures++ === 0) throw new Error('worker lost');
          return chunk(s, e);
        }) as never,
        finishBacktest: ((id: string) => ({ id, status: 'COMPLETED', pValue: 0.01 })) as never,
      };
      const outcome = await (await start(backtestWorkflow, ['bt-1'])).result();
      expect(outcome).toEqual({ id: 'bt-1', status: 'COMPLETED', pValue: 0.01 });
      const perms = called('runBacktestPermutations').map((c) => c.args.slice(1));
      expect(perms).toHaveLength(4); // three chunks, one retried
      expect(perms.filter((a) => a[1] === 100)).toHaveLength(2);
      expect(perms.every((a) => a[0] === 7)).toBe(true);
      expect(called('finishBacktest')[0].args[1]).toEqual([chunk(0, 100), chunk(100, 200), chunk(200, 300)]);
      expect(called('markBacktestFailed')).toHaveLength(0);
    });

    it('does not retry a data error and marks the run FAILED with the root message', async () => {
      stubs = {
        backtestReplayTarget: () => null,
        runBacktestCore: () => {
          throw ApplicationFailure.create({ type: 'BacktestDataError', message: 'no bars for SPY' });
        },
        markBacktestFailed: () => undefined,
      };
      await expect((await start(backtestWorkflow, ['bt-2'])).result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(called('runBacktestCore')).toHaveLength(1);
      expect(called('markBacktestFailed').map((c) => c.args)).toEqual([['bt-2', 'no bars for SPY']]);
      expect(called('finishBacktest')).toHaveLength(0);
    });

    it('records a cancellation even though its own scope is cancelled', async () => {
      let entered!: () => void;
      const inCore = new Promise<void>((resolve) => (entered = resolve));
      stubs = {
        backtestReplayTarget: () => null,
        runBacktestCore: async () => {
          entered();
          // Long enough for the cancel to arrive; the workflow stops waiting at once (TRY_CANCEL).
          await new Promise((r) => setTimeout(r, 3_000));
          return { total: 0, seed: 1, chunks: [] };
        },
        markBacktestCancelled: () => undefined,
      };
      const handle = await start(backtestWorkflow, ['bt-3']);
      await inCore;
      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(called('markBacktestCancelled').map((c) => c.args)).toEqual([['bt-3']]);
      expect(called('markBacktestFailed')).toHaveLength(0);
      expect(called('finishBacktest')).toHaveLength(0);
    });
  });

  describe('backfillSentimentWorkflow', () => {
    it('pages until nothing is unscored, continuing as new after 50 pages with the model version and count carried over', async () => {
      let pages = 0;
      stubs = {
        resolveModelVersion: () => 'model-v2',
        modelTierOf: () => 'fast',
        findUnscoredArticles: () => (++pages <= 53 ? [`a${pages}`] : []),
        scoreArticles: (() => ({ modelVersion: 'model-v2', scored: 1, alreadyScored: 0 })) as never,
      };
      const handle = await start(backfillSentimentWorkflow, [{ from: '2024-01-01', to: '2024-02-01', pageSize: 1 }]);
      expect(await handle.result()).toEqual({ modelVersion: 'model-v2', scored: 53 });
      // One run of 50 pages, then a new run: the version is resolved once and pinned.
      expect(called('resolveModelVersion')).toHaveLength(1);
      expect(called('scoreArticles').every((c) => (c.args[0] as { modelVersion: string }).modelVersion === 'model-v2')).toBe(true);
      const latest = await env.client.workflow.getHandle(handle.workflowId).describe();
      expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    });

    it('with an explicit version, asks which tier the model serves (not its name) and pages an accurate model in encoder-sized chunks', async () => {
      let pages = 0;
      stubs = {
        modelTierOf: () => 'accurate',
        findUnscoredArticles: () => (++pages <= 2 ? [`a${pages}`] : []),
        scoreArticles: (() => ({ modelVersion: 'ft4-x', scored: 1, alreadyScored: 0 })) as never,
      };
      const handle = await start(backfillSentimentWorkflow, [{ from: '2024-01-01', to: '2024-02-01', modelVersion: 'ft4-x' }]);
      expect(await handle.result()).toEqual({ modelVersion: 'ft4-x', scored: 2 });
      expect(called('modelTierOf').map((c) => c.args[0])).toEqual([{ modelVersion: 'ft4-x' }]);
      expect(called('findUnscoredArticles').every((c) => (c.args[0] as { limit: number }).limit === 500)).toBe(true);
    });
  });

  describe('replaySignalsWorkflow', () => {
    const chunk = (ticker: string, n: number) => ({ key: `${ticker}-${n}`, ticker, from: `2020-0${n}-01`, to: `2020-0${n + 1}-01` });
    const plan = (chunks: ReturnType<typeof chunk>[]) => ({ replayId: 'r', rulesVersion: 'r1', modelVersion: 'm1', intraday: false, chunks });

    it('replays chunk by chunk, two tickers side by side, each ticker in order, then finishes COMPLETED', async () => {
      const running = new Set<string>();
      const overlaps: string[] = [];
      let maxParallel = 0;
      stubs = {
        resolveModelVersion: () => 'm1',
        planSignalReplay: () => plan([chunk('AAA', 1), chunk('AAA', 2), chunk('AAA', 3), chunk('BBB', 1), chunk('CCC', 1)]),
        replaySignalChunk: (async (_head: unknown, c: { key: string; ticker: string }) => {
          if (running.has(c.ticker)) overlaps.push(c.key);
          running.add(c.ticker);
          maxParallel = Math.max(maxParallel, running.size);
          await new Promise((r) => setTimeout(r, 50));
          running.delete(c.ticker);
          return { key: c.key, points: 1, written: 1, unchanged: 0 };
        }) as never,
        finishSignalReplay: ((id: string, status: string) => ({ replayId: id, status, rulesVersion: 'r1', modelVersion: 'm1', points: 5, written: 5, unchanged: 0 })) as never,
      };
      const handle = await start(replaySignalsWorkflow, [{ targets: [{ ticker: 'AAA', from: '2020-01-01', to: '2020-04-01' }] }]);
      expect(await handle.result()).toMatchObject({ status: 'COMPLETED' });
      expect(await handle.query(replayProgressQuery)).toEqual({ done: 5, total: 5 });
      const order = called('replaySignalChunk').map((c) => (c.args[1] as { key: string }).key);
      expect(order.filter((k) => k.startsWith('AAA'))).toEqual(['AAA-1', 'AAA-2', 'AAA-3']);
      expect(order).toHaveLength(5);
      expect(overlaps).toEqual([]);
      expect(maxParallel).toBe(2);
      // The head of the plan travels with each chunk, without the chunk list.
      expect(called('replaySignalChunk')[0].args[0]).toEqual({ replayId: 'r', rulesVersion: 'r1', modelVersion: 'm1', intraday: false });
      expect(called('planSignalReplay')[0].args[1]).toMatchObject({ modelVersion: 'm1' });
      expect(called('finishSignalReplay').map((c) => c.args[1])).toEqual(['COMPLETED']);
    });

    it('records CANCELLED when cancelled mid-chunk, and FAILED with the message when a chunk fails for good', async () => {
      let entered!: () => void;
      const inChunk = new Promise<void>((resolve) => (entered = resolve));
      stubs = {
        planSignalReplay: () => plan([chunk('AAA', 1), chunk('AAA', 2)]),
        replaySignalChunk: (async () => {
          entered();
          await new Promise((r) => setTimeout(r, 3_000));
          return { key: 'AAA-1', points: 0, written: 0, unchanged: 0 };
        }) as never,
        finishSignalReplay: (() => ({})) as never,
      };
      const handle = await start(replaySignalsWorkflow, [{ targets: [], modelVersion: 'm1' }]);
      await inChunk;
      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(called('finishSignalReplay').map((c) => c.args.slice(1))).toEqual([['CANCELLED', null]]);
      expect(called('resolveModelVersion')).toHaveLength(0);

      calls.length = 0;
      stubs.replaySignalChunk = () => {
        throw ApplicationFailure.create({ type: 'SignalReplayInputError', message: 'rules changed' });
      };
      await expect((await start(replaySignalsWorkflow, [{ targets: [], modelVersion: 'm1' }])).result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(called('replaySignalChunk')).toHaveLength(1);
      expect(called('finishSignalReplay').map((c) => c.args[1])).toEqual(['FAILED']);
      // What it records today is the ActivityFailure's own message, not the root cause (backtestWorkflow unwraps to the root).
      expect(called('finishSignalReplay')[0].args[2]).toBe('Activity task failed');
    });
  });

  describe('parameterSweepWorkflow', () => {
    it('runs a child per configuration with bounded concurrency, picks the best, splits its best-of-N test into chunks', async () => {
      const statistics = [0.1, 0.9, 0.3, 0.95, 0.2];
      let inFlight = 0;
      let maxInFlight = 0;
      stubs = {
        planSweep: (() => ({ kind: 'SWEEP', configs: 5, concurrency: 2, permutations: 10, seed: 11, windows: 0, replay: null })) as never,
        runSweepConfig: (async (_id: string, index: number) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await new Promise((r) => setTimeout(r, 30));
          inFlight--;
          return { index, statistic: statistics[index] };
        }) as never,
        runSweepPermutations: ((_id: string, best: number, seed: number, start: number, end: number) => ({ best, seed, start, end })) as never,
        finishSweep: ((id: string, bestIndex: number) => ({ id, status: 'COMPLETED', bestIndex, pValue: 0.2, pValueBestAlone: 0.01 })) as never,
      };
      const outcome = await (await start(parameterSweepWorkflow, ['sweep-1'])).result();
      expect(outcome).toMatchObject({ status: 'COMPLETED', bestIndex: 3 });
      expect(called('runSweepConfig').map((c) => c.args[1]).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(maxInFlight).toBe(2);
      expect(called('runSweepPermutations').map((c) => c.args.slice(1))).toEqual([
        [3, 11, 0, 2],
        [3, 11, 2, 5],
        [3, 11, 5, 7],
        [3, 11, 7, 10],
      ]);
      expect(called('finishSweep')[0].args[2]).toHaveLength(4);
      expect(called('markSweepTerminal')).toHaveLength(0);
    });

    it('marks the sweep FAILED with the root cause when a configuration cannot run', async () => {
      stubs = {
        planSweep: (() => ({ kind: 'SWEEP', configs: 2, concurrency: 1, permutations: 0, seed: 1, windows: 0, replay: null })) as never,
        runSweepConfig: () => {
          throw ApplicationFailure.create({ type: 'BacktestDataError', message: 'no bars for SPY' });
        },
        markSweepTerminal: () => undefined,
      };
      await expect((await start(parameterSweepWorkflow, ['sweep-2'])).result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(called('runSweepConfig')).toHaveLength(1);
      expect(called('markSweepTerminal').map((c) => c.args)).toEqual([['sweep-2', 'FAILED', 'no bars for SPY']]);
    });
  });

  describe('deliverWebhookEventWorkflow', () => {
    const retry = { initialIntervalMs: 50, maxIntervalMs: 200, maxAgeMs: 60_000, attemptTimeoutMs: 1_000 };
    type Round = { deliveryIds: string[] };

    it('retries a failed attempt with backoff until it is delivered', async () => {
      let attempts = 0;
      stubs = {
        attemptWebhookDeliveries: ((input: Round) => {
          attempts++;
          return input.deliveryIds.map((deliveryId) =>
            attempts < 3 ? { deliveryId, verdict: 'retry', attempt: attempts, reason: '503 Service Unavailable' } : { deliveryId, verdict: 'delivered', attempt: attempts },
          );
        }) as never,
      };
      const outcome = await (await start(deliverWebhookEventWorkflow, [{ deliveryIds: ['d-1'], retry }])).result();
      expect(outcome).toEqual({ 'd-1': { status: 'SUCCEEDED', attempts: 3 } });
      expect(called('failWebhookDeliveries')).toHaveLength(0);
    });

    it('stops at a permanent failure and records its reason', async () => {
      stubs = {
        attemptWebhookDeliveries: ((input: Round) => input.deliveryIds.map((deliveryId) => ({ deliveryId, verdict: 'permanent', reason: '410 Gone' }))) as never,
        failWebhookDeliveries: () => ({ endpointsDisabled: 0 }),
      };
      const outcome = await (await start(deliverWebhookEventWorkflow, [{ deliveryIds: ['d-2'], retry }])).result();
      expect(outcome).toEqual({ 'd-2': { status: 'FAILED', reason: '410 Gone' } });
      expect(called('attemptWebhookDeliveries')).toHaveLength(1);
      expect(called('failWebhookDeliveries').map((c) => c.args[0])).toEqual([{ failures: [{ deliveryId: 'd-2', reason: '410 Gone' }] }]);
    });

    it('gives up when the retries outlast the maximum age', async () => {
      stubs = {
        attemptWebhookDeliveries: ((input: Round) =>
          input.deliveryIds.map((deliveryId) => ({ deliveryId, verdict: 'retry', attempt: called('attemptWebhookDeliveries').length, reason: 'connection refused' }))) as never,
        failWebhookDeliveries: () => ({ endpointsDisabled: 0 }),
      };
      const outcome = await (await start(deliverWebhookEventWorkflow, [{ deliveryIds: ['d-3'], retry: { ...retry, maxAgeMs: 1_500 } }])).result();
      expect(outcome).toEqual({ 'd-3': { status: 'FAILED', reason: 'gave up after 0 h of retries' } });
      expect(called('attemptWebhookDeliveries').length).toBeGreaterThan(1);
      expect(called('failWebhookDeliveries')).toHaveLength(1);
    });

    it("an endpoint's retries: deliveries signalled at different times share its rounds, each keeps its own attempt count and age, and the run ends after lingering with none", async () => {
      const rounds: string[][] = [];
      stubs = {
        attemptWebhookDeliveries: ((input: Round) => {
          rounds.push(input.deliveryIds);
          // Every delivery's first retry here (attempt 2 for a, 4 for b) succeeds.
          return input.deliveryIds.map((deliveryId) => ({ deliveryId, verdict: 'delivered', attempt: deliveryId === 'a' ? 2 : 4 }));
        }) as never,
      };
      const now = Date.now();
      const handle = await env.client.workflow.signalWithStart(deliverWebhookEventWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `webhook-endpoint-${randomUUID()}`,
        args: [{ deliveryIds: [], retry, lingerMs: 1_500 }],
        signal: retryDeliveriesSignal,
        signalArgs: [[{ id: 'a', attempts: 1, nextAt: now + 400, firstAt: now }]],
      });
      // A second event's failed delivery arrives before the first is due, and is due at the same time.
      await handle.signal(retryDeliveriesSignal, [
        { id: 'b', attempts: 3, nextAt: now + 400, firstAt: now - 1_000 },
        { id: 'a', attempts: 1, nextAt: now + 400, firstAt: now },
      ]);
      // Outcomes are in the database, not kept in the workflow's state.
      expect(await handle.result()).toEqual({});
      expect(rounds).toEqual([['a', 'b']]);
      expect(called('failWebhookDeliveries')).toHaveLength(0);
    });

    it("an endpoint's retries give up on each delivery at its own maximum age", async () => {
      stubs = {
        attemptWebhookDeliveries: ((input: Round) => input.deliveryIds.map((deliveryId) => ({ deliveryId, verdict: 'retry', attempt: 2, reason: 'HTTP 503' }))) as never,
        failWebhookDeliveries: () => ({ endpointsDisabled: 0 }),
      };
      const now = Date.now();
      const handle = await env.client.workflow.signalWithStart(deliverWebhookEventWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId: `webhook-endpoint-${randomUUID()}`,
        args: [{ deliveryIds: [], retry: { ...retry, maxAgeMs: 2_000 }, lingerMs: 200 }],
        signal: retryDeliveriesSignal,
        // 'old' was first tried long ago: past its age at its first retry; 'new' gets retries first.
        signalArgs: [[{ id: 'old', attempts: 1, nextAt: now, firstAt: now - 1_990 }, { id: 'new', attempts: 1, nextAt: now, firstAt: now }]],
      });
      await handle.result();
      const failed = called('failWebhookDeliveries').map((c) => (c.args[0] as { failures: Array<{ deliveryId: string }> }).failures.map((f) => f.deliveryId));
      expect(failed[0]).toEqual(['old']);
      expect(failed.flat().sort()).toEqual(['new', 'old']);
      expect(called('attemptWebhookDeliveries').length).toBeGreaterThan(1);
    });

    it('sends one round to every receiver, then retries only the failed ones, each on its own schedule (Retry-After over backoff)', async () => {
      const rounds: Array<{ at: number; ids: string[] }> = [];
      const tries = new Map<string, number>();
      stubs = {
        attemptWebhookDeliveries: ((input: Round) => {
          rounds.push({ at: Date.now(), ids: input.deliveryIds });
          return input.deliveryIds.map((deliveryId) => {
            const attempt = (tries.get(deliveryId) ?? 0) + 1;
            tries.set(deliveryId, attempt);
            if (deliveryId === 'slow' && attempt === 1) return { deliveryId, verdict: 'retry', attempt, reason: '429', retryAfterMs: 3_000 };
            if (deliveryId === 'flaky' && attempt === 1) return { deliveryId, verdict: 'retry', attempt, reason: '503' };
            return { deliveryId, verdict: 'delivered', attempt };
          });
        }) as never,
      };
      const outcome = await (await start(deliverWebhookEventWorkflow, [{ deliveryIds: ['ok', 'slow', 'flaky'], retry: { ...retry, maxIntervalMs: 5_000 } }])).result();
      expect(outcome).toEqual({ ok: { status: 'SUCCEEDED', attempts: 1 }, flaky: { status: 'SUCCEEDED', attempts: 2 }, slow: { status: 'SUCCEEDED', attempts: 2 } });
      // Round 1 goes to all three; the delivered one is never sent again.
      expect(rounds[0].ids).toEqual(['ok', 'slow', 'flaky']);
      expect(rounds.slice(1).flatMap((r) => r.ids).sort()).toEqual(['flaky', 'slow']);
      // The flaky one is retried after its 50 ms backoff, the slow one only after its Retry-After (3 s).
      const retried = (id: string) => rounds.findIndex((r, i) => i > 0 && r.ids.includes(id));
      expect(rounds[retried('slow')].at - rounds[0].at).toBeGreaterThanOrEqual(2_900);
      expect(retried('flaky')).toBeLessThanOrEqual(retried('slow'));
    });
  });
});
