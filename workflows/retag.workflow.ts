import { continueAsNew, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { retagArticlesPage } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface RetagProgress {
  reason: string;
  scanned: number;
  changed: number;
  /** The last article id done; the run resumes after it. */
  cursor: string | null;
  done: boolean;
}

export const retagProgressQuery = defineQuery<RetagProgress>('retagProgress');

/** Pages per run before continuing as new, so the history stays small on a large archive. */
const PAGES_PER_RUN = 200;

/**
 * Re-tags every stored article with the current ticker universe, page by page in id order, when an
 * admin changes the universe (InstrumentService starts it; a newer change replaces a running one).
 * Progress is the `retagProgress` query. Pages are idempotent, so a retry or a restart is safe.
 */
export async function retagArticlesWorkflow(input: { reason: string; pageSize?: number; progress?: RetagProgress }): Promise<RetagProgress> {
  const pageSize = input.pageSize ?? 500;
  const progress: RetagProgress = input.progress ?? { reason: input.reason, scanned: 0, changed: 0, cursor: null, done: false };
  setHandler(retagProgressQuery, () => progress);
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const result = await retagArticlesPage({ afterId: progress.cursor, limit: pageSize });
    progress.scanned += result.scanned;
    progress.changed += result.changed;
    if (result.lastId) progress.cursor = result.lastId;
    if (result.scanned < pageSize) {
      progress.done = true;
      return progress;
    }
  }
  return continueAsNew<typeof retagArticlesWorkflow>({ reason: input.reason, pageSize, progress });
}
