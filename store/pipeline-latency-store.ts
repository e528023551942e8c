/**
 * When each stage of the pipeline happened for some articles, for the per-stage latency
 * histograms (tidings_pipeline_stage_seconds): the times are read, never written, here.
 */
import type { Queryable } from '../events/publish';

/** Each article's earliest fast-tier (or lexicon) score time, ms since the epoch. */
export async function fastScoreTimes(db: Queryable, articleIds: string[]): Promise<Map<string, number>> {
  if (articleIds.length === 0) return new Map();
  const rows = (await db.query(
    `SELECT article_id, extract(epoch FROM min(scored_at)) * 1000 AS at FROM sentiment_scores
     WHERE article_id = ANY($1::uuid[]) AND tier IN ('fast', 'lexicon') GROUP BY article_id`,
    [articleIds],
  )) as Array<{ article_id: string; at: string | number }>;
  return new Map(rows.map((r) => [r.article_id, Number(r.at)]));
}

/** The latest score time (ms since the epoch) of any of these articles: when their news was last scored. */
export async function latestScoreTime(db: Queryable, articleIds: string[]): Promise<number | null> {
  if (articleIds.length === 0) return null;
  const [row] = (await db.query(`SELECT extract(epoch FROM max(scored_at)) * 1000 AS at FROM sentiment_scores WHERE article_id = ANY($1::uuid[])`, [articleIds])) as Array<{ at: string | number | null }>;
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}
