import { dedupeArticles, type DuplicateArticle } from './dedupe';
import type { DecodeOptions } from './encoding';
import { normaliseFeed, type NormalisedArticle, type SkippedItem } from './normalise';
import { parseFeed, type ParsedFeed } from './parse';

export interface FeedArticles {
  feed: Pick<ParsedFeed, 'format' | 'title' | 'link' | 'encoding' | 'replacedInvalidBytes'>;
  /** Normalised and deduped within this body; dedupe against stored articles is the caller's (DB) job. */
  articles: NormalisedArticle[];
  skipped: SkippedItem[];
  duplicates: DuplicateArticle[];
}

/**
 * Parse + normalise + in-batch dedupe of one fetched body: the whole pure part of ingesting a
 * feed, so an activity only has to fetch before and store after. Throws FeedParseError.
 */
export function articlesFromFeedBody(
  body: Buffer,
  options: { fetchedAt: Date; feedUrl?: string | null; contentType?: string | null; maxSummaryLength?: number } & DecodeOptions,
): FeedArticles {
  const parsed = parseFeed(body, options);
  const { articles, skipped } = normaliseFeed(parsed, options);
  const { unique, duplicates } = dedupeArticles(articles);
  const { format, title, link, encoding, replacedInvalidBytes } = parsed;
  return { feed: { format, title, link, encoding, replacedInvalidBytes }, articles: unique, skipped, duplicates };
}
