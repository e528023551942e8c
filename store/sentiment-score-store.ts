/** Sentiment scores as stored: per article (sentiment_scores) and per (article, ticker) (ticker_sentiment_scores). */
import type { DataSource } from 'typeorm';
import type { SentimentScore } from '../domain/sentiment';

export interface ArticleToScore {
  id: string;
  title: string;
  /** The feed item's summary or content (plain text), '' when it had none: the body long text reads. */
  summary: string;
  created_at: Date;
}

/** Those of the given articles with no score from `modelVersion` yet. */
export function articlesWithoutScore(db: DataSource, articleIds: string[], modelVersion: string): Promise<ArticleToScore[]> {
  return db.query(
    `SELECT a.id, a.title, a.summary, a.created_at FROM articles a
     WHERE a.id = ANY($1::uuid[])
       AND NOT EXISTS (SELECT 1 FROM sentiment_scores s WHERE s.article_id = a.id AND s.model_version = $2)`,
    [articleIds, modelVersion],
  );
}

/**
 * One score per article (same order), stored once per (article, model version), with its
 * explanation when it has one and what text it read (`textModes`, 'title-only' when omitted).
 */
export async function insertArticleScores(db: DataSource, articleIds: string[], results: SentimentScore[], tier: string, textModes?: string[]): Promise<void> {
  await db.query(
    `INSERT INTO sentiment_scores (article_id, model_version, label, score, prob_negative, prob_neutral, prob_positive, unscored_reason, explanation, text_mode, tier)
     SELECT *, $11::text FROM unnest($1::uuid[], $2::text[], $3::text[], $4::real[], $5::real[], $6::real[], $7::real[], $8::text[], $9::jsonb[], $10::text[])
     ON CONFLICT (article_id, model_version) DO NOTHING`,
    [
      articleIds,
      results.map((r) => r.modelVersion),
      results.map((r) => r.label),
      results.map((r) => r.score),
      results.map((r) => r.probabilities?.negative ?? null),
      results.map((r) => r.probabilities?.neutral ?? null),
      results.map((r) => r.probabilities?.positive ?? null),
      results.map((r) => r.unscoredReason ?? null),
      results.map((r) => (r.explanation ? JSON.stringify(r.explanation) : null)),
      articleIds.map((_, i) => textModes?.[i] ?? 'title-only'),
      tier,
    ],
  );
}

/** One page of articles published in [from, to) with no score for the version, oldest first. */
export async function unscoredArticleIds(db: DataSource, from: string, to: string, modelVersion: string, limit: number): Promise<string[]> {
  const rows: Array<{ id: string }> = await db.query(
    `SELECT a.id FROM articles a
     WHERE a.published_at >= $1 AND a.published_at < $2
       AND NOT EXISTS (SELECT 1 FROM sentiment_scores s WHERE s.article_id = a.id AND s.model_version = $3)
     ORDER BY a.published_at, a.id
     LIMIT $4`,
    [from, to, modelVersion, limit],
  );
  return rows.map((r) => r.id);
}

/** The (article, ticker) pairs of the given articles. */
export function tickerMentions(db: DataSource, articleIds: string[]): Promise<Array<{ article_id: string; ticker: string }>> {
  return db.query(`SELECT article_id, ticker FROM article_tickers WHERE article_id = ANY($1::uuid[]) ORDER BY article_id, ticker`, [articleIds]);
}

export interface TickerScore {
  articleId: string;
  ticker: string;
  /** A scored result: label and probabilities set. */
  score: SentimentScore & { label: NonNullable<SentimentScore['label']>; probabilities: NonNullable<SentimentScore['probabilities']> };
}

/** Stored once per (article, ticker, model version). */
export async function insertTickerScores(db: DataSource, rows: TickerScore[]): Promise<void> {
  await db.query(
    `INSERT INTO ticker_sentiment_scores (article_id, ticker, model_version, label, score, prob_negative, prob_neutral, prob_positive)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::real[], $6::real[], $7::real[], $8::real[])
     ON CONFLICT (article_id, ticker, model_version) DO NOTHING`,
    [
      rows.map((r) => r.articleId),
      rows.map((r) => r.ticker),
      rows.map((r) => r.score.modelVersion),
      rows.map((r) => r.score.label),
      rows.map((r) => r.score.score),
      rows.map((r) => r.score.probabilities.negative),
      rows.map((r) => r.score.probabilities.neutral),
      rows.map((r) => r.score.probabilities.positive),
    ],
  );
}
