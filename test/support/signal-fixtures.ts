import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** A ticker no other test file uses (valid for the ticker rules: a letter, then A-Z/0-9). */
export function uniqueTicker(prefix = 'Z'): string {
  return `${prefix}${randomUUID().replace(/[^a-f]/g, '').slice(0, 9 - prefix.length).toUpperCase()}`.slice(0, 10);
}

/**
 * Scored articles about `ticker` published shortly before `asOf`, so computeSignals makes a
 * signal for it: positive scores give BUY, negative SELL.
 */
export async function scoredNews(db: DataSource, ticker: string, score: number, asOf = new Date(), count = 3): Promise<void> {
  for (let i = 0; i < count; i++) {
    const publishedAt = new Date(asOf.getTime() - (i + 1) * 3_600_000).toISOString();
    const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`, [
      createHash('sha256').update(randomUUID()).digest('hex'),
      `${ticker} news ${randomUUID()}`,
      publishedAt,
    ]);
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 1, '{cashtag}', $3)`, [id, ticker, publishedAt]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'hl-test', $2, $3)`, [id, score > 0 ? 'positive' : 'negative', score]);
  }
}
