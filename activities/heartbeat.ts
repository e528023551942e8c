import { Context } from '@temporalio/activity';

/** How often a wrapped activity heartbeats; its workflow's heartbeatTimeout is a few times this. */
export const HEARTBEAT_EVERY_MS = 2000;

/**
 * Wraps an activity so it heartbeats every HEARTBEAT_EVERY_MS while it runs, whatever it is
 * waiting on (a slow fetch, a model load, a query). With a 10 s heartbeatTimeout in the
 * workflow, a worker that dies mid-activity is noticed in about 10 s and the activity retried
 * elsewhere, instead of after its whole start-to-close timeout. Only for activities whose
 * heartbeat details are informational: the timer's heartbeats carry none.
 */
export function heartbeating<A extends unknown[], R>(activity: (...args: A) => Promise<R>, everyMs = HEARTBEAT_EVERY_MS): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const ctx = Context.current();
    const timer = setInterval(() => ctx.heartbeat(), everyMs);
    try {
      return await activity(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
