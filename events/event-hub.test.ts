import { EventHub } from './event-hub';
import { Topic } from './topics';

describe('EventHub', () => {
  it('routes an event only to subscribers of its topic and key', async () => {
    const hub = new EventHub();
    const aapl = hub.subscribe<{ n: number }>([{ topic: Topic.SIGNAL_CREATED, key: 'AAPL' }]);
    const both = hub.subscribe<{ n: number }>([{ topic: Topic.SIGNAL_CREATED, key: 'AAPL' }, { topic: Topic.SIGNAL_CREATED, key: 'MSFT' }]);
    const msft = hub.subscribe<{ n: number }>([{ topic: Topic.SIGNAL_CREATED, key: 'MSFT' }]);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'AAPL', payload: { n: 1 } })).toBe(2);
    expect(hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'AAPL', payload: { n: 9 } })).toBe(0);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'MSFT', payload: { n: 2 } })).toBe(2);
    expect((await aapl.next()).value).toEqual({ n: 1 });
    expect((await both.next()).value).toEqual({ n: 1 });
    expect((await both.next()).value).toEqual({ n: 2 });
    expect((await msft.next()).value).toEqual({ n: 2 });
  });

  it('subscribers of a topic\'s ALL_KEY get every event of that topic, whatever its key', async () => {
    const hub = new EventHub();
    const all = hub.subscribe<{ n: number }>([{ topic: Topic.SIGNAL_CREATED, key: '*' }]);
    const aapl = hub.subscribe<{ n: number }>([{ topic: Topic.SIGNAL_CREATED, key: 'AAPL' }]);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'AAPL', payload: { n: 1 } })).toBe(2);
    expect(hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'MSFT', payload: { n: 2 } })).toBe(1);
    expect(hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'x', payload: { n: 3 } })).toBe(0);
    expect((await all.next()).value).toEqual({ n: 1 });
    expect((await all.next()).value).toEqual({ n: 2 });
    expect((await aapl.next()).value).toEqual({ n: 1 });
  });

  it('hands every subscriber the same payload object (shared subscription results key on it)', async () => {
    const hub = new EventHub();
    const a = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }]);
    const b = hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }]);
    const payload = { id: 'x' };
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload });
    expect((await a.next()).value).toBe(payload);
    expect((await b.next()).value).toBe(payload);
  });

  it('applies a subscriber filter before queueing', async () => {
    const hub = new EventHub();
    const strong = hub.subscribe<{ confidence: number }>([{ topic: Topic.SIGNAL_CREATED, key: 'T' }], { accept: (e) => e.confidence >= 0.5 });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: { confidence: 0.2 } });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: { confidence: 0.8 } });
    expect((await strong.next()).value).toEqual({ confidence: 0.8 });
  });

  it('reports to its observer how many subscribers took each event, and what a full queue dropped', async () => {
    const seen: string[] = [];
    const hub = new EventHub({ delivered: (topic, n) => seen.push(`${topic}:${n}`), dropped: (reason) => seen.push(reason) });
    hub.subscribe<{ confidence: number }>([{ topic: Topic.SIGNAL_CREATED, key: 'T' }], { accept: (e) => e.confidence >= 0.5, maxQueue: 1 });
    hub.subscribe([{ topic: Topic.SIGNAL_CREATED, key: 'T' }]);
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: { confidence: 0.2 } });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: { confidence: 0.8 } });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: { confidence: 0.9 } });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'nobody', payload: { confidence: 0.9 } });
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
    expect(hub.dispatch({ topic: Topic.PIPELINE_PROBE_COMPLETED, key: '*', payload: 1 })).toBe(0);
  });

  it('a slow consumer keeps only the newest maxQueue events', async () => {
    const hub = new EventHub();
    const sub = hub.subscribe<number>([{ topic: Topic.BACKTEST_PROGRESS, key: 'b' }], { maxQueue: 3 });
    for (let i = 1; i <= 5; i++) hub.dispatch({ topic: Topic.BACKTEST_PROGRESS, key: 'b', payload: i });
    const got = [(await sub.next()).value, (await sub.next()).value, (await sub.next()).value];
    expect(got).toEqual([3, 4, 5]);
  });

  it('redirect hands queued and later events straight to a callback, in order, and stops at close', () => {
    const hub = new EventHub();
    const sub = hub.subscribe<number>([{ topic: Topic.SIGNAL_CREATED, key: 'T' }], { accept: (n) => n !== 3 });
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: 1 });
    const seen: number[] = [];
    sub.redirect((n) => seen.push(n));
    for (const n of [2, 3, 4]) hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: n });
    expect(seen).toEqual([1, 2, 4]); // synchronous: no await needed
    sub.close();
    hub.dispatch({ topic: Topic.SIGNAL_CREATED, key: 'T', payload: 5 });
    expect(seen).toEqual([1, 2, 4]);
  });
});
