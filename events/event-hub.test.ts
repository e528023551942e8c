import { EventHub } from './event-hub';
import { publishEvent } from './publish';
import { ALL_KEY, Topic, type BacktestProgressEvent, type SignalCreatedEvent } from './topics';

/** A signal event whose confidence tells events apart; payloads are typed by topic. */
const signal = (confidence: number, ticker = 'T'): SignalCreatedEvent => ({ id: `s-${confidence}`, ticker, type: 'BUY', confidence });
const progress = (done: number): BacktestProgressEvent => ({ id: 'b', done, total: 5, status: 'RUNNING' });

describe('EventHub', () => {
  it('routes an event only to subscribers of its topic and key', async () => {
    const hub = new EventHub();
    const aapl = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'AAPL' }]);
    const both = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'AAPL' }, { topic: Topic.SIGNAL_CREATED, key: 'MSFT' }]);
    const msft = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'MSFT' }]);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'AAPL', payload: signal(0.1, 'AAPL') })).toBe(2);
    expect(hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'AAPL', payload: progress(9) })).toBe(0);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'MSFT', payload: signal(0.2, 'MSFT') })).toBe(2);
    expect((await aapl.next()).value).toEqual(signal(0.1, 'AAPL'));
    expect((await both.next()).value).toEqual(signal(0.1, 'AAPL'));
    expect((await both.next()).value).toEqual(signal(0.2, 'MSFT'));
    expect((await msft.next()).value).toEqual(signal(0.2, 'MSFT'));
  });

  it('subscribers of a topic\'s ALL_KEY get every event of that topic, whatever its key', async () => {
    const hub = new EventHub();
    const all = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: ALL_KEY }]);
    const aapl = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'AAPL' }]);
    const first = { id: 's1', ticker: 'AAPL', type: 'BUY' as const, confidence: 0.5 };
    const second = { id: 's2', ticker: 'MSFT', type: 'SELL' as const, confidence: 0.7 };
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'AAPL', payload: first })).toBe(2);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'MSFT', payload: second })).toBe(1);
    expect(hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'x', payload: { id: 'x', done: 1, total: 2, status: 'RUNNING' } })).toBe(0);
    expect((await all.next()).value).toEqual(first);
    expect((await all.next()).value).toEqual(second);
    expect((await aapl.next()).value).toEqual(first);
  });


  it('hands every subscriber the same payload object (shared subscription results key on it)', async () => {
    const hub = new EventHub();
    const a = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }]);
    const b = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }]);
    const payload = signal(0.5);
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload });
    expect((await a.next()).value).toBe(payload);
    expect((await b.next()).value).toBe(payload);
  });

  it('applies a subscriber filter before queueing', async () => {
    const hub = new EventHub();
    const strong = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }], { accept: (e) => e.confidence >= 0.5 });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(0.2) });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(0.8) });
    expect((await strong.next()).value).toEqual(signal(0.8));
  });

  it('reports to its observer how many subscribers took each event, and what a full queue dropped', async () => {
    const seen: string[] = [];
    const hub = new EventHub({ delivered: (topic, n) => seen.push(`${topic}:${n}`), dropped: (reason) => seen.push(reason) });
    hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }], { accept: (e) => e.confidence >= 0.5, maxQueue: 1 });
    hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }]);
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(0.2) });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(0.8) });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(0.9) });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'nobody', payload: signal(0.9) });
    // The filtered subscriber declined the first event; its one-slot queue dropped the oldest on the third.
    expect(seen).toEqual(['signal_created:1', 'signal_created:2', 'slow_consumer', 'signal_created:2']);
  });

  it('a waiting consumer is released when the subscription closes, and its routes are removed', async () => {
    const hub = new EventHub();
    const sub = hub.subscribe([{ topic: Topic.PIPELINE_PROBE_COMPLETED, key: '*' }]);
    const pending = sub.next();
    expect(hub.subscriberCount()).toBe(1);
    await sub.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(hub.subscriberCount()).toBe(0);
    expect(hub.dispatch({ topic: Topic.PIPELINE_PROBE_COMPLETED, key: '*', payload: { id: 'p' } })).toBe(0);
  });

  it('a slow consumer keeps only the newest maxQueue events', async () => {
    const hub = new EventHub();
    const sub = hub.subscribe([{ topic: Topic.BACKTEST_PROGRESS, key: 'b' }], { maxQueue: 3 });
    for (let i = 1; i <= 5; i++) hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'b', payload: progress(i) });
    const got = [(await sub.next()).value, (await sub.next()).value, (await sub.next()).value];
    expect(got.map((p) => (p as BacktestProgressEvent).done)).toEqual([3, 4, 5]);
  });

  it('redirect hands queued and later events straight to a callback, in order, and stops at close', () => {
    const hub = new EventHub();
    const sub = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }], { accept: (e) => e.confidence !== 3 });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(1) });
    const seen: number[] = [];
    sub.redirect((e) => seen.push(e.confidence));
    for (const n of [2, 3, 4]) hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(n) });
    expect(seen).toEqual([1, 2, 4]); // synchronous: no await needed
    sub.close();
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: signal(5) });
    expect(seen).toEqual([1, 2, 4]);
  });

  it('publishers and subscribers read one payload type per topic (a wrong payload does not compile)', async () => {
    const sent: unknown[][] = [];
    const db = { query: async (_sql: string, params?: unknown[]) => void sent.push(params ?? []) };
    await publishEvent(db, Topic.SIGNAL_CREATED, 'T', signal(0.7));
    // @ts-expect-error a backtest's progress is not a signal
    await publishEvent(db, Topic.SIGNAL_CREATED, 'T', progress(1));
    // @ts-expect-error a signal event carries its confidence
    await publishEvent(db, Topic.SIGNAL_CREATED, 'T', { id: 'x', ticker: 'T', type: 'BUY' });
    expect(JSON.parse(sent[0][1] as string)).toEqual({ topic: 'signal_created', key: 'T', payload: signal(0.7) });

    const hub = new EventHub();
    const sub = hub.subscribe([{ topic: Topic.BACKTEST_PROGRESS, key: 'b' }], { accept: (e) => e.status !== 'CANCELLED' });
    // @ts-expect-error progress events have no confidence
    hub.subscribe([{ topic: Topic.BACKTEST_PROGRESS, key: 'b' }], { accept: (e) => e.confidence > 0 });
    hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'b', payload: progress(2) });
    expect((await sub.next()).value?.done).toBe(2);
  });
});
