/**
 * Data access for article emotions (table article_emotions): writes of the emotion head's
 * scores, the pages an emotion backfill works through, and the reads behind article.emotions,
 * tickerEmotions and the signals' emotion features.
 */
import { EMOTION_LABELS, type EmotionLabel, type EmotionProbabilities, type EmotionScore } from '../domain/emotions/labels';

export interface EmotionQueryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

const PROB_COLUMNS = EMOTION_LABELS.map((l) => `prob_${l}`);

export interface StoredArticleEmotion extends EmotionScore {
  articleId: string;
  scoredAt: Date;
}

type EmotionRow = { article_id: string; model_version: string; label: string; scored_at: Date } & Record<string, unknown>;

function fromRow(r: EmotionRow): StoredArticleEmotion {
  const probabilities = Object.fromEntries(EMOTION_LABELS.map((l) => [l, Number(r[`prob_${l}`])])) as EmotionProbabilities;
  return { articleId: r.article_id, label: r.label as EmotionLabel, probabilities, modelVersion: r.model_version, scoredAt: new Date(r.scored_at) };
}

/** Stores one score per (article, emotion version); a row already there is kept (retries, races). */
export async function insertArticleEmotions(db: EmotionQueryable, rows: ReadonlyArray<{ articleId: string; score: EmotionScore }>): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [rows.map((r) => r.articleId), rows.map((r) => r.score.modelVersion), rows.map((r) => r.score.label)];
  for (const l of EMOTION_LABELS) params.push(rows.map((r) => r.score.probabilities[l]));
  const unnest = params.map((_, i) => `$${i + 1}::${i === 0 ? 'uuid' : i < 3 ? 'text' : 'real'}[]`).join(', ');
  await db.query(
    `INSERT INTO article_emotions (article_id, model_version, label, ${PROB_COLUMNS.join(', ')})
     SELECT * FROM unnest(${unnest})
     ON CONFLICT (article_id, model_version) DO NOTHING`,
    params,
  );
}

/** Of these articles, those with no emotion row for the version, with their titles. */
export async function articlesLackingEmotions(db: EmotionQueryable, articleIds: readonly string[], modelVersion: string): Promise<Array<{ id: string; title: string }>> {
  return (await db.query(
    `SELECT a.id, a.title FROM articles a
     WHERE a.id = ANY($1::uuid[])
       AND NOT EXISTS (SELECT 1 FROM article_emotions e WHERE e.article_id = a.id AND e.model_version = $2)
     ORDER BY a.id`,
    [articleIds, modelVersion],
  )) as Array<{ id: string; title: string }>;
}

/** One page of articles published in [from, to) with no emotion row for the version, oldest first. */
export async function findArticlesWithoutEmotions(db: EmotionQueryable, input: { from: string; to: string; modelVersion: string; limit: number }): Promise<string[]> {
  const rows = (await db.query(
    `SELECT a.id FROM articles a
     WHERE a.published_at >= $1 AND a.published_at < $2
       AND NOT EXISTS (SELECT 1 FROM article_emotions e WHERE e.article_id = a.id AND e.model_version = $3)
     ORDER BY a.published_at, a.id
     LIMIT $4`,
    [input.from, input.to, input.modelVersion, Math.max(1, Math.min(input.limit, 5000))],
  )) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** The newest emotion score of each article (any version), keyed by article id. */
export async function latestEmotionsOf(db: EmotionQueryable, articleIds: readonly string[]): Promise<Map<string, StoredArticleEmotion>> {
  if (articleIds.length === 0) return new Map();
  const rows = (await db.query(
    `SELECT DISTINCT ON (article_id) article_id, model_version, label, ${PROB_COLUMNS.join(', ')}, scored_at
     FROM article_emotions WHERE article_id = ANY($1::uuid[])
     ORDER BY article_id, scored_at DESC, id DESC`,
    [articleIds],
  )) as EmotionRow[];
  return new Map(rows.map((r) => [r.article_id, fromRow(r)]));
}

export interface EmotionBucketRow {
  bucketStart: Date;
  count: number;
  /** Articles per emotion label. */
  counts: Record<EmotionLabel, number>;
  /** Mean probability of each emotion over the bucket's articles. */
  meanProbabilities: EmotionProbabilities;
}

/**
 * Emotions of one ticker's articles per time bucket (hour, day or week, UTC), one score per
 * article (its newest emotion row); buckets without scored articles are absent.
 */
export async function tickerEmotionBuckets(db: EmotionQueryable, ticker: string, from: Date, to: Date, unit: 'hour' | 'day' | 'week'): Promise<EmotionBucketRow[]> {
  const rows = (await db.query(
    `WITH scored AS (
       SELECT DISTINCT ON (t.article_id) t.published_at, e.label, ${PROB_COLUMNS.map((c) => `e.${c}`).join(', ')}
       FROM article_tickers t JOIN article_emotions e ON e.article_id = t.article_id
       WHERE t.ticker = $1 AND t.published_at >= $2 AND t.published_at < $3
       ORDER BY t.article_id, e.scored_at DESC, e.id DESC)
     SELECT date_trunc('${unit}', published_at, 'UTC') AS bucket, count(*)::int AS n,
            ${EMOTION_LABELS.map((l) => `count(*) FILTER (WHERE label = '${l}')::int AS n_${l}, avg(prob_${l})::float8 AS p_${l}`).join(', ')}
     FROM scored GROUP BY 1 ORDER BY 1`,
    [ticker, from, to],
  )) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    bucketStart: new Date(r.bucket as string),
    count: Number(r.n),
    counts: Object.fromEntries(EMOTION_LABELS.map((l) => [l, Number(r[`n_${l}`])])) as Record<EmotionLabel, number>,
    meanProbabilities: Object.fromEntries(EMOTION_LABELS.map((l) => [l, Number(r[`p_${l}`])])) as EmotionProbabilities,
  }));
}

export interface EmotionObservation {
  articleId: string;
  publishedAt: Date;
  label: EmotionLabel;
  probabilities: EmotionProbabilities;
  modelVersion: string;
}

/** A ticker's articles published in (from, to] at or above minRelevance with their newest emotion score, oldest first. */
export async function loadEmotionObservations(db: EmotionQueryable, ticker: string, from: Date, to: Date, minRelevance: number): Promise<EmotionObservation[]> {
  const rows = (await db.query(
    `SELECT * FROM (
       SELECT DISTINCT ON (t.article_id) t.article_id, t.published_at, e.model_version, e.label, ${PROB_COLUMNS.map((c) => `e.${c}`).join(', ')}, e.scored_at
       FROM article_tickers t JOIN article_emotions e ON e.article_id = t.article_id
       WHERE t.ticker = $1 AND t.published_at > $2 AND t.published_at <= $3 AND t.relevance >= $4
       ORDER BY t.article_id, e.scored_at DESC, e.id DESC) x
     ORDER BY published_at, article_id`,
    [ticker, from.toISOString(), to.toISOString(), minRelevance],
  )) as Array<EmotionRow & { published_at: Date }>;
  return rows.map((r) => {
    const s = fromRow(r);
    return { articleId: s.articleId, publishedAt: new Date(r.published_at), label: s.label, probabilities: s.probabilities, modelVersion: s.modelVersion };
  });
}
