import { Context, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { ScoreArticlesInput, ScoreArticlesResult } from '../contracts';
import { articlesWithoutScore, insertArticleScores, insertTickerScores, tickerMentions, unscoredArticleIds, type TickerScore } from '../store/sentiment-score-store';
import { createLexiconScorer, LEXICON_NAME, type SentimentScorer } from '../domain/sentiment';
import { type AccurateScorer, activeTierVersion, type CompanyToScore, createScorer, defaultModelsDir, scoreArticleTexts, type ScoredArticleText, tierOfModel } from '../ml';
import { createWorkerMetrics, scoringTier, type WorkerMetrics } from '../observability/metrics';
import { findTickerSpan } from '../domain/tickers/spans';
import { isFeatureEnabled } from '../store/feature-flag-store';
import { sharedTickerExtractor } from '../store/ticker-extraction-store';
import { fastScoreTimes } from '../store/pipeline-latency-store';
import { articlesLackingEmotions, findArticlesWithoutEmotions, insertArticleEmotions } from '../store/emotion-store';

/**
 * Whether scores of this model carry explanations: always for the fast tier (its n-gram shares
 * cost about one more featurisation), for the accurate tier only with TIDINGS_EXPLAIN_ACCURATE=on
 * (occlusion re-scores the title once per word: ~13x the encoder's CPU for a headline).
 */
function explains(version: string): boolean {
  try {
    return tierOfModel(version) === 'fast' || (process.env.TIDINGS_EXPLAIN_ACCURATE ?? 'off') === 'on';
  } catch {
    return false; // an unreadable model fails to load below, with its own reason
  }
}

/** Loaded models are kept per worker process, by version ('' = the active model). */
const scorers = new Map<string, Promise<SentimentScorer>>();

async function scorerFor(db: DataSource, log: Logger, requested: string | undefined): Promise<SentimentScorer> {
  if (requested?.startsWith('lexicon-')) return createLexiconScorer();
  if (!requested && !(await isFeatureEnabled(db, 'model_sentiment'))) return createLexiconScorer();
  const key = requested ?? '';
  let scorer = scorers.get(key);
  if (!scorer) {
    scorer = requested
      ? createScorer({ useModel: true, version: requested, explain: explains(requested) })
      : createScorer({ useModel: true, explain: true, onFallback: (reason) => log.warn({ reason }, 'sentiment model unavailable; scoring with the lexicon') });
    scorers.set(key, scorer);
    scorer.catch(() => scorers.delete(key));
  }
  const s = await scorer;
  if (requested && s.modelVersion !== requested) {
    scorers.delete(key); // try loading it again on the next attempt (e.g. once the encoder files exist)
    throw new Error(`model version ${requested} is not available (got ${s.modelVersion})`);
  }
  return s;
}

/**
 * The accurate tier's active version, or '' when there is none, when model_sentiment is off,
 * or when this worker runs with TIDINGS_ACCURATE_TIER=off (the encoder needs ~100 MB of
 * weights and a lot of CPU; small deployments can keep the fast tier only).
 */
async function accurateVersion(db: DataSource): Promise<string> {
  if ((process.env.TIDINGS_ACCURATE_TIER ?? 'on') === 'off') return '';
  if (!(await isFeatureEnabled(db, 'model_sentiment'))) return '';
  return activeTierVersion(defaultModelsDir(), 'accurate') ?? '';
}

const isAccurate = (s: SentimentScorer): s is AccurateScorer => s.tier === 'accurate';

/** The active accurate tier, which must serve this emotion version (a backfill never mixes versions). */
async function emotionScorer(db: DataSource, log: Logger, emotionVersion: string): Promise<AccurateScorer> {
  const accurate = await accurateVersion(db);
  if (!accurate) throw ApplicationFailure.nonRetryable('the accurate tier is off or has no active model: emotions need its encoder', 'AccurateTierUnavailable');
  const scorer = await scorerFor(db, log, accurate);
  if (!isAccurate(scorer) || scorer.emotionVersion !== emotionVersion) {
    throw ApplicationFailure.nonRetryable(`the active accurate tier ${accurate} does not serve emotion model ${emotionVersion}`, 'UnknownEmotionVersion');
  }
  return scorer;
}

export function sentimentActivities(db: DataSource, log: Logger, metrics: WorkerMetrics = createWorkerMetrics()) {
  return {
    /**
     * Scores the articles that have no row for this model version yet, in batches, with a
     * heartbeat after each. Idempotent: a retry skips what an earlier attempt stored, and the
     * unique (article, model version) key absorbs a race.
     */
    async scoreArticles(input: ScoreArticlesInput): Promise<ScoreArticlesResult> {
      let requested = input.modelVersion;
      if (!requested && input.tier === 'accurate') {
        requested = await accurateVersion(db);
        if (!requested) return { modelVersion: '', scored: 0, alreadyScored: 0 };
      }
      const scorer = await scorerFor(db, log, requested);
      const tier = scorer.tier ?? 'fast';
      // The encoder is ~100x slower than the n-gram model: smaller batches keep heartbeats frequent.
      const batchSize = Math.max(1, Math.min(input.batchSize ?? (tier === 'accurate' ? 64 : 256), 2048));
      const todo = await articlesWithoutScore(db, input.articleIds, scorer.modelVersion);
      let scored = 0;
      for (let i = 0; i < todo.length; i += batchSize) {
        if (Context.current().cancellationSignal.aborted) break;
        const batch = todo.slice(i, i + batchSize);
        // Headlines are what the models were trained on, and titles alone are what they score,
        // unless the article's body is about its title: then title and body are scored by
        // sentences (ml/serving/long-text.ts). A body that is not (feed boilerplate) pulled both
        // tiers towards neutral when appended whole (twitter valid, accurate 0.810 -> 0.760, fast
        // 0.838 -> 0.735; `npm run eval:sentiment -- --summary unrelated`, BENCHMARKS.md "title +
        // summary"), so those articles stay title-only.
        // The accurate tier scores emotions (of the title) in the same forward pass as the titles'
        // sentiment, when it has an emotion head; a body scored by sentences costs the title one
        // more pass, which is small beside the body's sentences.
        const withEmotions = isAccurate(scorer) && scorer.emotionVersion !== undefined;
        const titled = withEmotions ? await (scorer as AccurateScorer).scoreWithEmotions(batch.map((a) => a.title)) : undefined;
        // Per-ticker scores are the accurate tier's (ticker_sentiment_scores has one home for
        // them, read newest-first whatever the tier): the fast tier scores the document only.
        const tickers = isAccurate(scorer) ? await tickerMentions(db, batch.map((a) => a.id)) : [];
        const locators = tickerLocators(tickers);
        const texts = await scoreArticleTexts(
          scorer,
          batch.map((a) => ({ title: a.title, body: a.summary, companies: locators.get(a.id) })),
          titled?.sentiment,
        );
        // Emotions and per-ticker scores first: a retry re-does every article whose article-level row is missing.
        if (isAccurate(scorer)) await storeTickerScores(db, scorer, batch, texts, tickers);
        await insertArticleEmotions(db, batch.flatMap((a, k) => (titled?.emotions[k] ? [{ articleId: a.id, score: titled.emotions[k]! }] : [])));
        await insertArticleScores(db, batch.map((a) => a.id), texts.map((t) => t.score), tier, texts.map((t) => t.mode));
        scored += batch.length;
        // Lag (stored -> scored) only for live scoring: a backfill of old articles is not lag.
        const now = Date.now();
        const lags = input.modelVersion || tier === 'accurate' ? undefined : batch.map((a) => (now - new Date(a.created_at).getTime()) / 1000);
        metrics.scored(scorer.modelVersion, scoringTier(scorer.modelVersion, scorer.tier), batch.length, lags);
        if (input.live && tier === 'accurate') {
          for (const fastAt of (await fastScoreTimes(db, batch.map((a) => a.id))).values()) metrics.stageLatency('fast_to_accurate_score', (now - fastAt) / 1000);
        }
        heartbeat({ scored });
      }
      return { modelVersion: scorer.modelVersion, scored, alreadyScored: input.articleIds.length - todo.length };
    },

    /** One page of articles in [from, to) with no score for the version, oldest first (for backfills). */
    async findUnscoredArticles(input: { from: string; to: string; modelVersion: string; limit: number }): Promise<string[]> {
      return unscoredArticleIds(db, input.from, input.to, input.modelVersion, Math.min(input.limit, 5000));
    },

    /**
     * The version a new score would carry now (active model, or the lexicon when the flag is off);
     * with tier 'accurate', the active accurate version or '' when that tier is unavailable.
     */
    async resolveModelVersion(input: { modelVersion?: string; tier?: 'fast' | 'accurate' }): Promise<string> {
      if (!input.modelVersion && input.tier === 'accurate') return accurateVersion(db);
      return (await scorerFor(db, log, input.modelVersion)).modelVersion;
    },

    /**
     * Emotions for stored articles that lack a row of the emotion version, with the active
     * accurate tier's encoder (the emotion head reads its pooled state); batches with a heartbeat
     * after each. Idempotent like scoreArticles: a retry skips what is stored.
     */
    async scoreArticleEmotions(input: { articleIds: string[]; emotionVersion: string; batchSize?: number }): Promise<{ emotionVersion: string; scored: number; alreadyScored: number }> {
      const scorer = await emotionScorer(db, log, input.emotionVersion);
      const todo = await articlesLackingEmotions(db, input.articleIds, input.emotionVersion);
      const batchSize = Math.max(1, Math.min(input.batchSize ?? 64, 512));
      let scored = 0;
      for (let i = 0; i < todo.length; i += batchSize) {
        if (Context.current().cancellationSignal.aborted) break;
        const batch = todo.slice(i, i + batchSize);
        const { emotions } = await scorer.scoreWithEmotions(batch.map((a) => a.title));
        await insertArticleEmotions(db, batch.flatMap((a, k) => (emotions[k] ? [{ articleId: a.id, score: emotions[k]! }] : [])));
        scored += batch.length;
        heartbeat({ scored });
      }
      return { emotionVersion: input.emotionVersion, scored, alreadyScored: input.articleIds.length - todo.length };
    },

    /** One page of articles in [from, to) with no emotion row for the version, oldest first. */
    async findArticlesWithoutEmotions(input: { from: string; to: string; emotionVersion: string; limit: number }): Promise<string[]> {
      return findArticlesWithoutEmotions(db, { from: input.from, to: input.to, modelVersion: input.emotionVersion, limit: input.limit });
    },

    /** The emotion head the active accurate tier serves, or '' when there is none (or the tier is off). */
    async resolveEmotionVersion(): Promise<string> {
      const accurate = await accurateVersion(db);
      if (!accurate) return '';
      const scorer = await scorerFor(db, log, accurate);
      return (isAccurate(scorer) && scorer.emotionVersion) || '';
    },

    /** Which tier a model version belongs to (its artifact's format); the lexicon counts as fast. */
    async modelTierOf(input: { modelVersion: string }): Promise<'fast' | 'accurate'> {
      if (input.modelVersion.startsWith('lexicon-')) return 'fast';
      try {
        return tierOfModel(input.modelVersion);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`unknown sentiment model version "${input.modelVersion}": ${(err as Error).message}`, 'UnknownModelVersion');
      }
    },
  };
}

/** Per article, each of its tickers as a company long text can find in a sentence (cashtag, exchange prefix or company name). */
function tickerLocators(tickers: Array<{ article_id: string; ticker: string }>): Map<string, CompanyToScore[]> {
  const companies = sharedTickerExtractor().companies;
  const out = new Map<string, CompanyToScore[]>();
  for (const t of tickers) {
    const list = out.get(t.article_id) ?? [];
    list.push({ key: t.ticker, locate: (text) => findTickerSpan(text, t.ticker, companies) });
    out.set(t.article_id, list);
  }
  return out;
}

/**
 * The sentiment toward each ticker an article is about, stored once per (article, ticker,
 * model version). A title-only article: the entity head's, where the ticker can be found in
 * the title. An article scored by sentences: aggregated over the title and the sentences that
 * name the ticker (through the entity head when there is one). A ticker named nowhere gets no
 * row, so it keeps the article's score (store/sentiment-preference.ts).
 */
async function storeTickerScores(
  db: DataSource,
  scorer: AccurateScorer,
  batch: Array<{ id: string; title: string }>,
  texts: ScoredArticleText[],
  tickers: Array<{ article_id: string; ticker: string }>,
): Promise<void> {
  const rows: TickerScore[] = [];
  const titles = new Map<string, string>();
  batch.forEach((a, i) => {
    if (texts[i].mode === 'title-only') titles.set(a.id, a.title);
    else for (const [ticker, score] of texts[i].companies) rows.push({ articleId: a.id, ticker, score });
  });
  const companies = sharedTickerExtractor().companies;
  const queries: Array<{ articleId: string; ticker: string; text: string; span: [number, number] }> = [];
  if (scorer.hasEntityHead) {
    for (const t of tickers) {
      const title = titles.get(t.article_id);
      const span = title === undefined ? undefined : findTickerSpan(title, t.ticker, companies);
      if (span) queries.push({ articleId: t.article_id, ticker: t.ticker, text: title!, span });
    }
  }
  const scores = queries.length > 0 ? await scorer.scoreEntities(queries.map((q) => ({ text: q.text, span: q.span }))) : [];
  rows.push(...queries.map((q, i) => ({ articleId: q.articleId, ticker: q.ticker, score: scores[i] })).filter((r): r is TickerScore => !!r.score?.label && !!r.score.probabilities));
  if (rows.length === 0) return;
  await insertTickerScores(db, rows);
}

export { LEXICON_NAME };
