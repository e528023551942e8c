/**
 * Article tickers, read and rewritten page by page for re-tagging (the re-tag workflow): the
 * articles in id order after a cursor, and one transaction per page that makes each article's
 * stored tickers equal to a freshly extracted set. Re-running a page changes nothing.
 */
import type { DataSource } from 'typeorm';

export interface ArticleForTagging {
  id: string;
  title: string;
  summary: string | null;
  url: string | null;
  guid: string | null;
  publishedAt: Date;
}

export interface StoredTicker {
  ticker: string;
  relevance: number;
  matchedBy: string[];
  verified: boolean;
}

export async function articlesAfter(db: DataSource, afterId: string | null, limit: number): Promise<ArticleForTagging[]> {
  const rows = (await db.query(
    `SELECT id, title, summary, url, guid, published_at FROM articles WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
    [afterId, limit],
  )) as Array<{ id: string; title: string; summary: string | null; url: string | null; guid: string | null; published_at: Date }>;
  return rows.map((r) => ({ id: r.id, title: r.title, summary: r.summary, url: r.url, guid: r.guid, publishedAt: r.published_at }));
}

const sameTickers = (a: StoredTicker[], b: StoredTicker[]) =>
  a.length === b.length &&
  a.every((x) => {
    const y = b.find((t) => t.ticker === x.ticker);
    return !!y && Math.abs(y.relevance - x.relevance) < 1e-4 && y.verified === x.verified && y.matchedBy.join(',') === x.matchedBy.join(',');
  });

/**
 * Makes each article's stored tickers the given set; returns how many articles changed. Rows keep
 * the article's published_at (the signal queries read it from here).
 */
export async function replaceArticleTickers(db: DataSource, tagged: ReadonlyArray<{ article: ArticleForTagging; tickers: StoredTicker[] }>): Promise<number> {
  if (tagged.length === 0) return 0;
  return db.transaction(async (tx) => {
    const ids = tagged.map((t) => t.article.id);
    const rows = (await tx.query(`SELECT article_id, ticker, relevance, matched_by, verified FROM article_tickers WHERE article_id = ANY($1::uuid[]) FOR UPDATE`, [ids])) as Array<{
      article_id: string;
      ticker: string;
      relevance: number;
      matched_by: string[];
      verified: boolean;
    }>;
    const stored = new Map<string, StoredTicker[]>();
    for (const r of rows) stored.set(r.article_id, [...(stored.get(r.article_id) ?? []), { ticker: r.ticker, relevance: r.relevance, matchedBy: r.matched_by, verified: r.verified }]);
    const changed = tagged.filter((t) => !sameTickers(stored.get(t.article.id) ?? [], t.tickers));
    if (changed.length === 0) return 0;
    const changedIds = changed.map((t) => t.article.id);
    await tx.query(`DELETE FROM article_tickers WHERE article_id = ANY($1::uuid[])`, [changedIds]);
    const links = changed.flatMap((t) => t.tickers.map((m) => ({ ...m, articleId: t.article.id, publishedAt: t.article.publishedAt })));
    if (links.length > 0) {
      await tx.query(
        `INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at, verified)
         SELECT a, t, r, m::text[], p, v FROM unnest($1::uuid[], $2::text[], $3::real[], $4::text[], $5::timestamptz[], $6::boolean[]) AS x(a, t, r, m, p, v)`,
        [
          links.map((l) => l.articleId),
          links.map((l) => l.ticker),
          links.map((l) => l.relevance),
          links.map((l) => `{${l.matchedBy.join(',')}}`),
          links.map((l) => new Date(l.publishedAt).toISOString()),
          links.map((l) => l.verified),
        ],
      );
    }
    return changed.length;
  });
}
