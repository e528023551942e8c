/**
 * Writes normalised articles and their ticker mentions in one round trip each: unnest() over
 * column arrays, ON CONFLICT DO NOTHING on the dedupe keys (url hash; feed + guid), so a
 * re-poll, a retried activity or two racing polls insert each article exactly once.
 */
import type { EntityManager } from 'typeorm';
import type { NormalisedArticle } from '../domain/feeds';
import type { TickerMention } from '../domain/tickers';
import { publishEvents } from '../events/publish';
import { Topic } from '../events/topics';
import { assignStories } from './story-store';

/** An article to store with the tickers it mentions (services/ticker-extraction.ts withTickers). */
export interface ArticleWithTickers {
  article: NormalisedArticle;
  tickers: TickerMention[];
}

export interface StoredArticle {
  id: string;
  urlHash: string;
}

export async function insertArticles(
  tx: EntityManager,
  source: 'feed' | 'import',
  feedId: string | null,
  articles: ArticleWithTickers[],
  ingestRun: string | null = null,
): Promise<StoredArticle[]> {
  if (articles.length === 0) return [];
  const col = <T>(f: (a: NormalisedArticle) => T) => articles.map(({ article }) => f(article));
  const rows: Array<{ id: string; url_hash: string }> = await tx.query(
    `INSERT INTO articles (feed_id, source, guid, url, canonical_url, url_hash, title, summary, published_at, published_at_estimated, ingest_run, author, categories)
     SELECT $1::uuid, $2, g, u, c, h, t, s, p, e, $11, au,
            COALESCE((SELECT array_agg(v) FROM jsonb_array_elements_text(ca) AS v), '{}')
     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::boolean[], $12::text[], $13::jsonb[])
       AS x(g, u, c, h, t, s, p, e, au, ca)
     ON CONFLICT DO NOTHING
     RETURNING id, url_hash`,
    [
      feedId,
      source,
      col((a) => a.guid),
      col((a) => a.url),
      col((a) => a.canonicalUrl),
      col((a) => a.urlHash),
      col((a) => a.title),
      col((a) => a.summary),
      col((a) => a.publishedAt.toISOString()),
      col((a) => a.publishedAtEstimated),
      ingestRun,
      col((a) => a.author ?? null),
      // Ragged text[][] is not a thing in PostgreSQL: each article's categories travel as a JSON array.
      col((a) => JSON.stringify(a.categories ?? [])),
    ],
  );
  const inserted = new Map(rows.map((r) => [r.url_hash, r.id]));
  const links: { articleId: string; ticker: string; relevance: number; matchedBy: string; publishedAt: string; verified: boolean }[] = [];
  for (const { article, tickers } of articles) {
    const articleId = inserted.get(article.urlHash);
    if (!articleId) continue;
    for (const t of tickers) {
      links.push({ articleId, ticker: t.ticker, relevance: t.relevance, matchedBy: `{${t.matchedBy.join(',')}}`, publishedAt: article.publishedAt.toISOString(), verified: !t.unverified });
    }
  }
  if (links.length > 0) {
    await tx.query(
      `INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at, verified)
       SELECT a, t, r, m::text[], p, v FROM unnest($1::uuid[], $2::text[], $3::real[], $4::text[], $5::timestamptz[], $6::boolean[]) AS x(a, t, r, m, p, v)
       ON CONFLICT DO NOTHING`,
      [links.map((l) => l.articleId), links.map((l) => l.ticker), links.map((l) => l.relevance), links.map((l) => l.matchedBy), links.map((l) => l.publishedAt), links.map((l) => l.verified)],
    );
    // articleAdded subscribers hear of each new article once per ticker, when this transaction commits.
    await publishEvents(tx, links.map((l) => ({ topic: Topic.ARTICLE_ADDED, key: l.ticker, payload: { id: l.articleId, ticker: l.ticker } })));
  }
  // Near-duplicates of a story already stored (or earlier in this batch) join it; the rest open one.
  await assignStories(tx, rows.map((r) => r.id));
  return rows.map((r) => ({ id: r.id, urlHash: r.url_hash }));
}
