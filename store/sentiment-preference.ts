/**
 * Which of an article's sentiment scores counts, in one place for every query (signals,
 * tickerSentiment, article.sentiment, signal provenance): the accurate tier beats the fast
 * tier, which beats the lexicon fallback; within a tier the newest score wins. A per-ticker
 * score (ticker_sentiment_scores) beats the article-level score for that ticker.
 */
export function tierRankSql(alias: string): string {
  // A lexicon version counts as the lexicon whatever its tier column says (rows written
  // before tiers existed, or by hand, carry the default 'fast').
  return `(CASE WHEN ${alias}.model_version LIKE 'lexicon-%' OR ${alias}.tier = 'lexicon' THEN 2 WHEN ${alias}.tier = 'accurate' THEN 0 ELSE 1 END)`;
}

/** A LATERAL subquery giving the newest per-ticker score of (article, ticker) as `ts`. */
export function tickerScoreLateralSql(articleIdSql: string, tickerSql: string): string {
  return `LEFT JOIN LATERAL (
       SELECT tss.score, tss.label, tss.model_version FROM ticker_sentiment_scores tss
       WHERE tss.article_id = ${articleIdSql} AND tss.ticker = ${tickerSql}
       ORDER BY tss.scored_at DESC, tss.id DESC LIMIT 1) ts ON true`;
}
