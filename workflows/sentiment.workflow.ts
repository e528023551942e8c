import { continueAsNew, executeChild, ParentClosePolicy, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScoreArticlesResult } from '../contracts';
import { replaySignalsWorkflow } from './signal-replay.workflow';
import { computeSignalsWorkflow } from './signals.workflow';
import { encoderLaneQueue } from '../domain/task-queues';
import { childQueue } from './task-queue';

const { scoreArticles, findUnscoredArticles, resolveModelVersion, modelTierOf, findPastDatedReplayTargets } = proxyActivities<Activities>({
  // Model inference runs ~5,000 headlines/s; a 2,000-article chunk takes well under a minute.
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats every 2 s (activities/heartbeat.ts): a dead worker is noticed in ~10 s.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const ACCURATE_ACTIVITY_OPTIONS = {
  // The encoder tier scores tens of headlines per second per worker: a 500-article chunk takes
  // up to a minute or two on a busy 2-core machine; it heartbeats after every batch.
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10 },
} as const;

const { scoreArticles: scoreArticlesAccurate } = proxyActivities<Activities>(ACCURATE_ACTIVITY_OPTIONS);

const CHUNK = 2000;
const ACCURATE_CHUNK = 500;

/**
 * Scores freshly stored articles (started by each poll or import that stored something), then
 * recomputes the signals of the tickers they mention.
 */
export async function scoreArticlesWorkflow(input: {
  articleIds: string[];
  modelVersion?: string;
  batchSize?: number;
  /** default true: new sentiment moves the affected tickers' signals */
  signals?: boolean;
  /**
   * Then re-score them with the accurate tier in a separate workflow (which recomputes the
   * signals again from the better score). Polls and imports set it; this workflow does not
   * wait for that one.
   */
  accurate?: boolean;
}): Promise<ScoreArticlesResult> {
  const total: ScoreArticlesResult = { modelVersion: input.modelVersion ?? '', scored: 0, alreadyScored: 0 };
  for (let i = 0; i < input.articleIds.length; i += CHUNK) {
    const r = await scoreArticles({ articleIds: input.articleIds.slice(i, i + CHUNK), modelVersion: input.modelVersion, batchSize: input.batchSize });
    total.modelVersion = r.modelVersion;
    total.scored += r.scored;
    total.alreadyScored += r.alreadyScored;
  }
  if (input.signals !== false && total.scored > 0) {
    await executeChild(computeSignalsWorkflow, { taskQueue: childQueue(computeSignalsWorkflow), workflowId: `${workflowInfo().workflowId}-signals`, args: [{ articleIds: input.articleIds }] });
    // Past-dated articles (imports, late feeds) change history that live signals never revisit:
    // replay the affected tickers and dates with this model. Started, not awaited: it outlives us.
    const targets = await findPastDatedReplayTargets({ articleIds: input.articleIds });
    if (targets.length > 0) {
      await startChild(replaySignalsWorkflow, {
        taskQueue: childQueue(replaySignalsWorkflow),
        workflowId: `${workflowInfo().workflowId}-replay`,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ targets, modelVersion: total.modelVersion }],
      });
    }
  }
  if (input.accurate && !input.modelVersion) {
    const accurateVersion = await resolveModelVersion({ tier: 'accurate' });
    if (accurateVersion) {
      await startChild(accurateRescoreWorkflow, {
        taskQueue: childQueue(accurateRescoreWorkflow),
        workflowId: `${workflowInfo().workflowId}-accurate`,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ articleIds: input.articleIds, modelVersion: accurateVersion, signals: input.signals }],
      });
    }
  }
  return total;
}

/**
 * Re-scores articles that already have a fast score with the accurate tier (a fixed version,
 * so a retry or replay never mixes versions), including the per-ticker scores of the entity
 * head, then recomputes the signals of their tickers from the better score.
 */
export async function accurateRescoreWorkflow(input: { articleIds: string[]; modelVersion: string; signals?: boolean }): Promise<ScoreArticlesResult> {
  // On the scoring queue's encoder lane, so the fast tier's activities never queue behind these.
  const { scoreArticles: scoreArticlesOnLane } = proxyActivities<Activities>({ ...ACCURATE_ACTIVITY_OPTIONS, taskQueue: encoderLaneQueue(workflowInfo().taskQueue) });
  const total: ScoreArticlesResult = { modelVersion: input.modelVersion, scored: 0, alreadyScored: 0 };
  for (let i = 0; i < input.articleIds.length; i += ACCURATE_CHUNK) {
    const r = await scoreArticlesOnLane({ articleIds: input.articleIds.slice(i, i + ACCURATE_CHUNK), modelVersion: input.modelVersion, live: true });
    total.scored += r.scored;
    total.alreadyScored += r.alreadyScored;
  }
  if (input.signals !== false && total.scored > 0) {
    await executeChild('computeSignalsWorkflow', { taskQueue: childQueue('computeSignalsWorkflow'), workflowId: `${workflowInfo().workflowId}-signals`, args: [{ articleIds: input.articleIds }] });
  }
  return total;
}

export interface BackfillInput {
  from: string;
  to: string;
  /** Unset: the version active when the backfill starts (fixed for the whole run). */
  modelVersion?: string;
  /** Without modelVersion: which tier's active version (default fast). */
  tier?: 'fast' | 'accurate';
  pageSize?: number;
  /** Pause between pages (e.g. '30 seconds') so a backfill leaves the worker room for new articles. */
  pauseBetweenPages?: string;
  /** Carried across continue-as-new. */
  scoredSoFar?: number;
}

/**
 * Re-scores a time range with one model version. Each page asks the database what is still
 * unscored, so a crash, a retry or a restart resumes where it stopped and never writes a row
 * twice; history stays small through continue-as-new.
 */
export async function backfillSentimentWorkflow(input: BackfillInput): Promise<{ modelVersion: string; scored: number }> {
  const modelVersion = input.modelVersion ?? (await resolveModelVersion({ tier: input.tier }));
  if (!modelVersion) return { modelVersion, scored: input.scoredSoFar ?? 0 };
  const accurate = input.tier === 'accurate' || (input.modelVersion !== undefined && (await modelTierOf({ modelVersion })) === 'accurate');
  let scored = input.scoredSoFar ?? 0;
  for (let page = 0; page < 50; page++) {
    const ids = await findUnscoredArticles({ from: input.from, to: input.to, modelVersion, limit: input.pageSize ?? (accurate ? ACCURATE_CHUNK : CHUNK) });
    if (ids.length === 0) return { modelVersion, scored };
    scored += (await (accurate ? scoreArticlesAccurate : scoreArticles)({ articleIds: ids, modelVersion })).scored;
    if (input.pauseBetweenPages) await sleep(input.pauseBetweenPages);
  }
  return continueAsNew<typeof backfillSentimentWorkflow>({ ...input, modelVersion, scoredSoFar: scored });
}
