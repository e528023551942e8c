/**
 * With thousands of subscribers on one topic, executing the same subscription document once per
 * subscriber per event is what limits delivery. For root fields whose result does not depend on
 * who asks, the first subscriber's execution of an event is shared with every other subscriber
 * that sent the same document and variables with the same role. Events reach all subscribers as
 * the same payload object (EventHub pushes one object), which keys the share and lets it be
 * garbage-collected with the event.
 */
import { createSourceEventStream, execute, getOperationAST, subscribe, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { GraphQLContext } from './context';

/** Root subscription fields whose results are the same for every caller of a role. */
export const SHARED_SUBSCRIPTION_FIELDS = new Set(['signalCreated', 'backtestProgress', 'pipelineProbeCompleted']);

const sharedResults = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

function isShareable(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation !== 'subscription') return false;
  return operation.selectionSet.selections.every((s) => s.kind === 'Field' && SHARED_SUBSCRIPTION_FIELDS.has(s.name.value));
}

export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  if (!isShareable(args)) return subscribe(args) as Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in (source as object))) return source as ExecutionResult;
  const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const role = (args.contextValue as GraphQLContext | undefined)?.principal?.role ?? 'NONE';
  const key = JSON.stringify([role, args.document.loc?.source.body, args.operationName ?? null, args.variableValues ?? null]);

  const resultFor = (payload: unknown): Promise<ExecutionResult> => {
    const run = () => Promise.resolve(execute({ ...args, rootValue: payload }));
    if (typeof payload !== 'object' || payload === null) return run();
    let byKey = sharedResults.get(payload);
    if (!byKey) sharedResults.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = run()));
    return result;
  };

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
