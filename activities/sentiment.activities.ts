import { Context, heartbeat } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { createLexiconScorer, createScorer, LEXICON_NAME, type SentimentScorer } from '../domain/sentiment';
import { createWorkerMetrics, scoringTier, type WorkerMetrics } from '../observability/metrics';
import { isFeatureEnabled } from '../services/feature-flags.service';

/** Loaded models are kept per worker process, by version ('' = the active model). */
const scorers = new Map<string, Promise<SentimentScorer>>();

async function scorerFor(db: DataSource, log: Logger, requested: string | undefined): Promise<SentimentScorer> {
  if (requested?.startsWith('lexicon-')) return createLexiconScorer();
  if (!requested && !(await isFeatureEnabled(db, 'model_sentiment'))) return createLexiconScorer();
  const key = requested ?? '';
  let scorer = scorers.get(key);
  if (!scorer) {
    scorer = requested
      ? createScorer({ useModel: true, version: requested })
      : createScorer({ useModel: true, onFallback: (reason) => log.warn({ reason }, 'sentiment model unavailable; scoring with the lexicon') });
    scorers.set(key, scorer);
  }
  const s = await scorer;
  if (requested && s.modelVersion !== requested) throw new Error(`model version ${requested} is not available (got ${s.modelVersion})`);
  return s;
}

export interface ScoreArticlesInput {
  articleIds: string[];
  /** A specific model version (backfills); unset = the active model, or the lexicon when the flag is off. */
  modelVersion?: string;
  batchSize?: number;
}

export interface ScoreArticlesResult {
  modelVersion: string;
  scored: number;
  alreadyScored: number;
}

export function sentimentActivities(db: DataSource, log: Logger, metrics: WorkerMetrics = createWorkerMetrics()) {
  return {
    /**
     * Scores the articles that have no row for this model version yet, in batches, with a
     * heartbeat after each. Idempotent: a retry skips what an earlier attempt stored, and the
     * unique (article, model version) key absorbs a race.
     */
    async scoreArticles(input: ScoreArticlesInput): Promise<ScoreArticlesResult> {
      const scorer = await scorerFor(db, log, input.modelVersion);
      const batchSize = Math.max(1, Math.min(input.batchSize ?? 256, 2048));
      const todo: Array<{ id: string; title: string; created_at: Date }> = await db.query(
        `SELECT a.id, a.title, a.created_at FROM articles a
         WHERE a.id = ANY($1::uuid[])
           AND NOT EXISTS (SELECT 1 FROM sentiment_scores s WHERE s.article_id = a.id AND s.model_version = $2)`,
        [input.articleIds, scorer.modelVersion],
      );
      let scored = 0;
      for (let i = 0; i < todo.length; i += batchSize) {
        if (Context.current().cancellationSignal.aborted) break;
        const batch = todo.slice(i, i + batchSize);
        // Headlines are what the model was trained on; summaries vary too much between sources.
        const results = await scorer.scoreBatch(batch.map((a) => a.title));
        await db.query(
          `INSERT INTO sentiment_scores (article_id, model_version, label, score, prob_negative, prob_neutral, prob_positive, unscored_reason)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::real[], $5::real[], $6::real[], $7::real[], $8::text[])
           ON CONFLICT (article_id, model_version) DO NOTHING`,
          [
            batch.map((a) => a.id),
            results.map((r) => r.modelVersion),
            results.map((r) => r.label),
            results.map((r) => r.score),
            results.map((r) => r.probabilities?.negative ?? null),
            results.map((r) => r.probabilities?.neutral ?? null),
            results.map((r) => r.probabilities?.positive ?? null),
            results.map((r) => r.unscoredReason ?? null),
          ],
        );
        scored += batch.length;
        // Lag (stored -> scored) only for live scoring: a backfill of old articles is not lag.
        const now = Date.now();
        const lags = input.modelVersion ? undefined : batch.map((a) => (now - new Date(a.created_at).getTime()) / 1000);
        metrics.scored(scorer.modelVersion, scoringTier(scorer.modelVersion, (scorer as { tier?: string }).tier), batch.length, lags);
        heartbeat({ scored });
      }
      return { modelVersion: scorer.modelVersion, scored, alreadyScored: input.articleIds.length - todo.length };
    },

    /** One page of articles in [from, to) with no score for the version, oldest first (for backfills). */
    async findUnscoredArticles(input: { from: string; to: string; modelVersion: string; limit: number }): Promise<string[]> {
      const rows: Array<{ id: string }> = await db.query(
        `SELECT a.id FROM articles a
         WHERE a.published_at >= $1 AND a.published_at < $2
           AND NOT EXISTS (SELECT 1 FROM sentiment_scores s WHERE s.article_id = a.id AND s.model_version = $3)
         ORDER BY a.published_at, a.id
         LIMIT $4`,
        [input.from, input.to, input.modelVersion, Math.min(input.limit, 5000)],
      );
      return rows.map((r) => r.id);
    },

    /** The version a new score would carry now (active model, or the lexicon when the flag is off). */
    async resolveModelVersion(input: { modelVersion?: string }): Promise<string> {
      return (await scorerFor(db, log, input.modelVersion)).modelVersion;
    },
  };
}

export { LEXICON_NAME };
