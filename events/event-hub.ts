/**
 * In-process routing of events to subscribers, keyed by (topic, key): delivering one event
 * costs a map lookup plus one push per interested subscriber, never a filter run over every
 * subscriber. Events arrive from PostgreSQL NOTIFY (see pg-event-bridge.ts), so an event
 * published by any worker reaches subscribers on every API process.
 */
import { ALL_KEY, type EventEnvelope, type Topic, type TopicPayload } from './topics';

export interface Route<T extends Topic = Topic> {
  topic: T;
  key: string;
}

interface Subscriber {
  /** False when the subscriber's filter declined the event (or it is closed). */
  push(payload: unknown, topic: string): boolean;
}

/** What the hub reports (the API's metrics): subscribers that took each event, and events a full queue dropped. */
export interface EventHubObserver {
  delivered(topic: string, subscribers: number): void;
  dropped(reason: 'slow_consumer'): void;
}

const routeId = (topic: string, key: string) => `${topic}\u0000${key}`;

export interface EventSubscription<T> extends AsyncIterableIterator<T> {
  close(): void;
  /**
   * From now on hand each accepted event straight to `deliver` (synchronously, in dispatch)
   * instead of queueing it for `next()`; for fan-out paths that cannot afford an async
   * iteration step per subscriber per event.
   */
  redirect(deliver: (payload: T) => void): void;
}

export class EventHub {
  private readonly routes = new Map<string, Set<Subscriber>>();

  constructor(private readonly observer?: EventHubObserver) {}

  /** Subscribers of the event's key, and subscribers of its whole topic (key ALL_KEY), get it. */
  dispatch(event: EventEnvelope): number {
    let n = 0;
    const subscribers = this.routes.get(routeId(event.topic, event.key));
    let accepted = 0;
    if (subscribers) {
      for (const s of subscribers) if (s.push(event.payload, event.topic)) accepted++;
      n += subscribers.size;
    }
    if (event.key !== ALL_KEY) {
      const everything = this.routes.get(routeId(event.topic, ALL_KEY));
      if (everything) {
        for (const s of everything) if (s.push(event.payload, event.topic)) accepted++;
        n += everything.size;
      }
    }
    if (n > 0) this.observer?.delivered(event.topic, accepted);
    return n;
  }

  subscriberCount(): number {
    let n = 0;
    for (const set of this.routes.values()) n += set.size;
    return n;
  }

  /**
   * An async iterator over every event on any of `routes`, typed by their topic's payload
   * (events/topics.ts). A slow consumer keeps at most
   * `maxQueue` undelivered events (oldest dropped) so one stuck socket cannot grow memory.
   */
  subscribe<K extends Topic>(routes: ReadonlyArray<Route<K>>, opts: { maxQueue?: number; accept?: (payload: TopicPayload<K>) => boolean } = {}): EventSubscription<TopicPayload<K>> {
    type T = TopicPayload<K>;
    const maxQueue = opts.maxQueue ?? 1000;
    const accept = opts.accept;
    const queue: T[] = [];
    let waiting: ((r: IteratorResult<T>) => void) | null = null;
    let closed = false;
    let deliver: ((payload: T) => void) | null = null;
    const ids = [...new Set(routes.map((r) => routeId(r.topic, r.key)))];
    const subscriber: Subscriber = {
      push: (payload) => {
        if (closed || (accept && !accept(payload as T))) return false;
        if (deliver) {
          deliver(payload as T);
          return true;
        }
        if (waiting) {
          const resolve = waiting;
          waiting = null;
          resolve({ value: payload as T, done: false });
          return true;
        }
        queue.push(payload as T);
        if (queue.length > maxQueue) {
          queue.shift();
          this.observer?.dropped('slow_consumer');
        }
        return true;
      },
    };
    for (const id of ids) {
      let set = this.routes.get(id);
      if (!set) this.routes.set(id, (set = new Set()));
      set.add(subscriber);
    }
    const close = () => {
      if (closed) return;
      closed = true;
      for (const id of ids) {
        const set = this.routes.get(id);
        set?.delete(subscriber);
        if (set && set.size === 0) this.routes.delete(id);
      }
      queue.length = 0;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value: undefined, done: true });
      }
    };
    const iterator: EventSubscription<T> = {
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: () => {
        close();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (err?: unknown) => {
        close();
        return Promise.reject(err);
      },
      close,
      redirect(fn) {
        deliver = fn;
        for (const queued of queue.splice(0)) fn(queued);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
