/**
 * Activity inbound interceptor: every activity execution (attempt) on this worker counted by
 * activity type and outcome, with its duration. Lives beside the worker, not in workflows.
 */
import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics } from '../observability/metrics';

export function activityMetricsInterceptor(metrics: Pick<WorkerMetrics, 'activity'>): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const started = process.hrtime.bigint();
        let outcome: 'completed' | 'failed' | 'cancelled' = 'failed';
        try {
          const result = await next(input);
          outcome = 'completed';
          return result;
        } catch (err) {
          if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) outcome = 'cancelled';
          throw err;
        } finally {
          metrics.activity(ctx.info.activityType, outcome, Number(process.hrtime.bigint() - started) / 1e9);
        }
      },
    },
  });
}
