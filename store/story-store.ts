/**
 * Stories: near-duplicate articles across feeds (domain/stories). Assignment runs inside the
 * transaction that inserts the articles, after their ticker links, under a transaction-scoped
 * advisory lock so two concurrent ingests of copies of one story cannot both open it.
 */
import type { EntityManager } from 'typeorm';
import { matchStory, minhashSignature, storyText, STORY_WINDOW_MS, type StoryCandidate } from '../domain/stories';

/** A DataSource, an EntityManager or a QueryRunner. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** pg_advisory_xact_lock key of story assignment (any fixed bigint; "story" in ASCII). */
const STORY_LOCK = 0x73746f7279;
/** Most recent same-ticker candidates compared per article: bounds the work on a busy ticker. */
const MAX_CANDIDATES = 1000;

/** Unsigned MinHash slots as PostgreSQL integers (equality is all that is ever asked of them). */
const toInt32 = (sig: number[]) => sig.map((v) => v | 0);

/**
 * Gives each article without a story one: the story of its most similar same-ticker article within
 * the window (published earlier or at the same time), else a new story named by its own id.
 * Idempotent: articles that have a story keep it. Returns articleId -> storyId for those assigned.
 */
export async function assignStories(tx: EntityManager, articleIds: string[]): Promise<Map<string, string>> {
  const assigned = new Map<string, string>();
  if (articleIds.length === 0) return assigned;
  await tx.query(`SELECT pg_advisory_xact_lock($1)`, [STORY_LOCK]);
  const rows = (await tx.query(
    `SELECT a.id, a.title, a.summary, a.published_at, coalesce(array_agg(t.ticker) FILTER (WHERE t.ticker IS NOT NULL), '{}') AS tickers
     FROM articles a LEFT JOIN article_tickers t ON t.article_id = a.id
     WHERE a.id = ANY($1::uuid[]) AND a.story_id IS NULL
     GROUP BY a.id ORDER BY a.published_at, a.id`,
    [articleIds],
  )) as Array<{ id: string; title: string; summary: string; published_at: Date; tickers: string[] }>;
  for (const r of rows) {
    const publishedAt = new Date(r.published_at);
    const signature = minhashSignature(storyText(r.title, r.summary));
    let storyId = r.id;
    if (r.tickers.length > 0) {
      const candidates = (await tx.query(
        `SELECT DISTINCT ON (a.id) a.id, a.story_id, a.published_at, a.story_signature
         FROM article_tickers t JOIN articles a ON a.id = t.article_id
         WHERE t.ticker = ANY($1::text[]) AND a.id <> $2 AND a.story_id IS NOT NULL AND a.story_signature IS NOT NULL
           AND a.published_at BETWEEN $3 AND $4
         ORDER BY a.id LIMIT $5`,
        [r.tickers, r.id, new Date(publishedAt.getTime() - STORY_WINDOW_MS), new Date(publishedAt.getTime() + STORY_WINDOW_MS), MAX_CANDIDATES],
      )) as Array<{ id: string; story_id: string; published_at: Date; story_signature: number[] }>;
      const match = matchStory(
        { publishedAt, signature: toInt32(signature) },
        candidates.map((c): StoryCandidate => ({ id: c.id, storyId: c.story_id, publishedAt: new Date(c.published_at), signature: c.story_signature })),
      );
      if (match) storyId = match.storyId;
    }
    await tx.query(`UPDATE articles SET story_id = $2, story_signature = $3::int[] WHERE id = $1 AND story_id IS NULL`, [r.id, storyId, toInt32(signature)]);
    assigned.set(r.id, storyId);
  }
  return assigned;
}

export interface StoryArticleRow {
  id: string;
  storyId: string;
  title: string;
  url: string | null;
  feed: string;
  publishedAt: Date;
}

export interface StoryRow {
  id: string;
  firstSeenAt: Date;
  articles: StoryArticleRow[];
}

const storyArticlesSql = `SELECT a.id, coalesce(a.story_id, a.id) AS story_id, a.title, a.url, a.published_at, coalesce(f.name, a.source) AS feed
  FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id`;

function groupStories(rows: Array<{ id: string; story_id: string; title: string; url: string | null; published_at: Date; feed: string }>): Map<string, StoryRow> {
  const stories = new Map<string, StoryRow>();
  for (const r of rows) {
    const a: StoryArticleRow = { id: r.id, storyId: r.story_id, title: r.title, url: r.url, feed: r.feed, publishedAt: new Date(r.published_at) };
    const s = stories.get(a.storyId);
    if (s) {
      s.articles.push(a);
      if (a.publishedAt < s.firstSeenAt) s.firstSeenAt = a.publishedAt;
    } else stories.set(a.storyId, { id: a.storyId, firstSeenAt: a.publishedAt, articles: [a] });
  }
  return stories;
}

/** The stories of the given articles (an unassigned article is a story of its own), keyed by article id. */
export async function storiesOfArticles(db: Queryable, articleIds: string[]): Promise<Map<string, StoryRow>> {
  if (articleIds.length === 0) return new Map();
  const rows = (await db.query(
    `${storyArticlesSql}
     WHERE a.id = ANY($1::uuid[]) OR a.story_id IN (SELECT story_id FROM articles WHERE id = ANY($1::uuid[]) AND story_id IS NOT NULL)
     ORDER BY a.published_at, a.id`,
    [articleIds],
  )) as Parameters<typeof groupStories>[0];
  const stories = groupStories(rows);
  const byArticle = new Map<string, StoryRow>();
  for (const s of stories.values()) for (const a of s.articles) byArticle.set(a.id, s);
  return byArticle;
}

export interface StoryFilter {
  ticker?: string;
  from: Date;
  to: Date;
  minArticles: number;
  limit: number;
}

/** Stories first seen in [from, to) (optionally about a ticker), newest first, with every article. */
export async function listStories(db: Queryable, f: StoryFilter): Promise<StoryRow[]> {
  const ids = (await db.query(
    `SELECT coalesce(a.story_id, a.id) AS id, min(a.published_at) AS first_seen
     FROM articles a
     WHERE ($3::text IS NULL OR EXISTS (SELECT 1 FROM article_tickers t WHERE t.article_id = a.id AND t.ticker = $3))
       AND a.published_at >= $1::timestamptz - interval '2 days' AND a.published_at < $2
     GROUP BY 1
     HAVING count(*) >= $4 AND min(a.published_at) >= $1
     ORDER BY 2 DESC, 1 LIMIT $5`,
    [f.from, f.to, f.ticker ?? null, f.minArticles, f.limit],
  )) as Array<{ id: string }>;
  if (ids.length === 0) return [];
  const rows = (await db.query(`${storyArticlesSql} WHERE coalesce(a.story_id, a.id) = ANY($1::uuid[]) ORDER BY a.published_at, a.id`, [ids.map((i) => i.id)])) as Parameters<typeof groupStories>[0];
  const stories = groupStories(rows);
  return ids.map((i) => stories.get(i.id)!).filter(Boolean);
}
