import { dedupeArticles, type DuplicateArticle } from './dedupe';
import type { DecodeOptions } from './encoding';
import { normaliseFeed, type NormalisedArticle, type SkippedItem } from './normalise';
import { DEFAULT_MAX_ITEMS, ELEMENTS_PER_ITEM, parseFeed, type ParsedFeed } from './parse';

export interface FeedArticles {
  feed: Pick<ParsedFeed, 'format' | 'title' | 'link' | 'encoding' | 'replacedInvalidBytes'>;
  /** Normalised and deduped within this body; dedupe against stored articles is the caller's (DB) job. */
  articles: NormalisedArticle[];
  skipped: SkippedItem[];
  duplicates: DuplicateArticle[];
  /** Items beyond the per-feed cap: not read at all (counted, with `capReason`). */
  itemsOverCap: number;
  capReason: string | null;
}

/**
 * Parse + normalise + in-batch dedupe of one fetched body: the whole pure part of ingesting a
 * feed, so an activity only has to fetch before and store after. Throws FeedParseError.
 */
export function articlesFromFeedBody(
  body: Buffer,
  options: { fetchedAt: Date; feedUrl?: string | null; contentType?: string | null; maxSummaryLength?: number; maxItems?: number } & DecodeOptions,
): FeedArticles {
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const parsed = parseFeed(body, { ...options, maxItems });
  const { articles, skipped } = normaliseFeed(parsed, options);
  const { unique, duplicates } = dedupeArticles(articles);
  const { format, title, link, encoding, replacedInvalidBytes } = parsed;
  const reasons: string[] = [];
  if (parsed.itemsOverCap > 0) reasons.push(`the feed has ${maxItems + parsed.itemsOverCap} items; only the first ${maxItems} were read (cap TIDINGS_FEED_MAX_ITEMS)`);
  if (parsed.elementsOverCap > 0) reasons.push(`${parsed.elementsOverCap} XML elements beyond the ${ELEMENTS_PER_ITEM}-per-item budget were not read`);
  const capReason = reasons.length ? reasons.join('; ') : null;
  return { feed: { format, title, link, encoding, replacedInvalidBytes }, articles: unique, skipped, duplicates, itemsOverCap: parsed.itemsOverCap, capReason };
}
