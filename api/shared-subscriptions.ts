/**
 * Fan-out for subscriptions with thousands of subscribers on one topic.
 *
 * 1. Shared execution: for root fields whose result does not depend on who asks, the first
 *    subscriber's execution of an event is shared with every subscriber that sent the same
 *    document and variables with the same role. Events reach all subscribers as the same
 *    payload object (EventHub pushes one object), which keys the share and lets it be
 *    garbage-collected with the event.
 * 2. Direct delivery (graphql-ws connections): the serialised result is written to each socket
 *    as a graphql-transport-ws `next` message straight from the event dispatch, skipping the
 *    per-subscriber async iteration and re-serialisation that otherwise dominate at 10,000
 *    subscribers. graphql-ws still owns the subscription's life: it calls `return()` on
 *    `complete`, socket close or revocation, and sends `complete` itself.
 * 3. One wake-up per shared result: during the dispatch each subscriber only appends its writer
 *    to the result's batch; one continuation writes the whole batch when the JSON is ready. A
 *    promise reaction per subscriber made the synchronous dispatch of one event to 5,000
 *    subscribers take 4-42 ms before the first socket write (BENCHMARKS.md, subscriptions).
 */
import { createSourceEventStream, execute, getOperationAST, subscribe, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { EventSubscription } from '../events/event-hub';
import type { GraphQLContext } from './context';
import { withClientErrors } from './errors';

/** Root subscription fields whose results are the same for every caller of a role. */
export const SHARED_SUBSCRIPTION_FIELDS = new Set(['signalCreated', 'backtestProgress', 'pipelineProbeCompleted', 'articleAdded']);

const sharedResults = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
/** Per shared result: the writers of the subscriptions waiting for its JSON (filled during one dispatch). */
const pendingWrites = new WeakMap<Promise<ExecutionResult>, Array<(json: string) => void>>();

function isShareable(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation !== 'subscription') return false;
  return operation.selectionSet.selections.every((s) => s.kind === 'Field' && SHARED_SUBSCRIPTION_FIELDS.has(s.name.value));
}

function isEventSubscription(source: unknown): source is EventSubscription<unknown> {
  return typeof (source as EventSubscription<unknown>).redirect === 'function';
}

export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  if (!isShareable(args)) return subscribe(args) as Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in (source as object))) return source as ExecutionResult;
  const context = args.contextValue as GraphQLContext | undefined;
  const role = context?.principal?.role ?? 'NONE';
  const key = JSON.stringify([role, args.document.loc?.source.body, args.operationName ?? null, args.variableValues ?? null]);

  const resultFor = (payload: unknown): Promise<ExecutionResult> => {
    // Direct delivery skips graphql-ws's onNext, so service errors get their code here.
    const run = () => Promise.resolve(execute({ ...args, rootValue: payload })).then(withClientErrors);
    if (typeof payload !== 'object' || payload === null) return run();
    let byKey = sharedResults.get(payload);
    if (!byKey) sharedResults.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = run()));
    return result;
  };

  const delivery = context?.wsDelivery;
  if (delivery && isEventSubscription(source)) return directDelivery(source, delivery, resultFor);

  const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const event = await events.next();
      if (event.done) return { done: true, value: undefined };
      return { done: false, value: await resultFor(event.value) };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      await events.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function directDelivery(
  source: EventSubscription<unknown>,
  delivery: NonNullable<GraphQLContext['wsDelivery']>,
  resultFor: (payload: unknown) => Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const prefix = `{"id":${JSON.stringify(delivery.subscriptionId)},"type":"next","payload":`;
  let open = true;
  let end!: (r: IteratorResult<ExecutionResult>) => void;
  const ended = new Promise<IteratorResult<ExecutionResult>>((resolve) => (end = resolve));
  // Created once per subscription, not per event.
  const write = (json: string) => {
    if (open) delivery.send(prefix + json + '}');
  };
  source.redirect((payload) => {
    const result = resultFor(payload);
    let batch = pendingWrites.get(result);
    if (!batch) {
      const writers: Array<(json: string) => void> = [];
      pendingWrites.set(result, (batch = writers));
      // Events of one subscription are written in the order their results resolve; for a shared
      // result that is dispatch order, and within one event, the order subscribers were pushed.
      void result.then((r) => {
        pendingWrites.delete(result);
        const json = JSON.stringify(r);
        for (const w of writers) {
          try {
            w(json);
          } catch {
            // One socket failing a write must not starve the rest of the batch; graphql-ws closes it.
          }
        }
      });
    }
    batch.push(write);
  });
  const finish = () => {
    open = false;
    source.close();
    end({ done: true, value: undefined });
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => ended,
    async return() {
      finish();
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
