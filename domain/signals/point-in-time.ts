import type { PriceBar } from '../prices';
import type { SentimentObservation } from './types';

declare const pointInTime: unique symbol;

/**
 * Everything known at `asOf`, and nothing else. Feature code only accepts this type, and the
 * only way to make one is `asOfView`, which drops articles published after asOf and bars
 * stamped after asOf: look-ahead cannot be written by accident downstream.
 */
export interface PointInTimeView {
  readonly [pointInTime]: true;
  readonly asOf: Date;
  /** Sorted oldest-first. */
  readonly observations: readonly SentimentObservation[];
  /** Sorted oldest-first. */
  readonly bars: readonly PriceBar[];
}

export function asOfView(asOf: Date, observations: SentimentObservation[], bars: PriceBar[] = []): PointInTimeView {
  const t = asOf.getTime();
  if (!Number.isFinite(t)) throw new Error('asOf is not a valid date');
  return {
    asOf,
    observations: observations.filter((o) => o.publishedAt.getTime() <= t).sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime()),
    bars: bars.filter((b) => b.time.getTime() <= t).sort((a, b) => a.time.getTime() - b.time.getTime()),
  } as unknown as PointInTimeView;
}
