import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { scoreArticleEmotions, findArticlesWithoutEmotions, resolveEmotionVersion } = proxyActivities<Activities>({
  // The encoder scores tens of titles per second per worker (as the accurate re-score): a
  // 500-article page takes a minute or two on a busy 2-core machine; it heartbeats per batch.
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10, nonRetryableErrorTypes: ['UnknownEmotionVersion', 'AccurateTierUnavailable'] },
});

const PAGE = 500;

export interface EmotionBackfillInput {
  from: string;
  to: string;
  /** Unset: the emotion head of the accurate tier active when the backfill starts (fixed for the run). */
  emotionVersion?: string;
  pageSize?: number;
  /** Pause between pages (e.g. '30 seconds') so a backfill leaves the worker room for new articles. */
  pauseBetweenPages?: string;
  /** Carried across continue-as-new. */
  scoredSoFar?: number;
}

/**
 * Scores the emotions of stored articles published in [from, to) with one emotion version, like
 * the accurate re-score: each page asks the database what still lacks a row, so a crash, retry
 * or restart resumes where it stopped and never writes a row twice; continue-as-new keeps the
 * history small. Returns emotionVersion '' when no accurate tier with an emotion head is active.
 */
export async function backfillEmotionsWorkflow(input: EmotionBackfillInput): Promise<{ emotionVersion: string; scored: number }> {
  const emotionVersion = input.emotionVersion ?? (await resolveEmotionVersion());
  if (!emotionVersion) return { emotionVersion, scored: input.scoredSoFar ?? 0 };
  let scored = input.scoredSoFar ?? 0;
  for (let page = 0; page < 50; page++) {
    const ids = await findArticlesWithoutEmotions({ from: input.from, to: input.to, emotionVersion, limit: input.pageSize ?? PAGE });
    if (ids.length === 0) return { emotionVersion, scored };
    scored += (await scoreArticleEmotions({ articleIds: ids, emotionVersion })).scored;
    if (input.pauseBetweenPages) await sleep(input.pauseBetweenPages);
  }
  return continueAsNew<typeof backfillEmotionsWorkflow>({ ...input, emotionVersion, scoredSoFar: scored });
}
