import { canonicalizeUrl, resolveHttpUrl, sha256Hex } from './canonical-url';
import { parseFeedDate } from './dates';
import { cleanFeedText, truncateText } from './html-text';
import type { ParsedFeed, RawFeedItem } from './parse';

export interface NormalisedArticle {
  guid: string | null;
  /** Absolute http(s) link as published (relative links resolved). */
  url: string | null;
  canonicalUrl: string | null;
  /**
   * sha256 hex of canonicalUrl; without a usable link, of "guid:<guid>", else of "title:<title>"
   * (prefixed so a guid can never collide with a URL or a title).
   */
  urlHash: string;
  /** Plain text, trimmed; falls back to the start of the summary when the item has no title. */
  title: string;
  /** Plain text: HTML stripped, entities decoded, whitespace collapsed, length-capped. */
  summary: string;
  publishedAt: Date;
  /** True when the feed gave no readable, plausible date and publishedAt is the fetch time. */
  publishedAtEstimated: boolean;
  author?: string;
  categories?: string[];
}

export interface SkippedItem {
  index: number;
  reason: string;
}

export interface NormaliseOptions {
  /** When the feed was fetched: stands in for missing, unreadable or future dates. */
  fetchedAt: Date;
  /** The URL the feed was fetched from (after redirects): the last-resort base for relative links. */
  feedUrl?: string | null;
  maxSummaryLength?: number;
  maxTitleLength?: number;
}

export interface NormaliseResult {
  articles: NormalisedArticle[];
  skipped: SkippedItem[];
}

// Clock skew and time zones mislabelled by a few hours are common; a day ahead is not skew.
const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
// Epoch-zero and similar placeholder dates mean "unknown", not 1970.
const EARLIEST_PLAUSIBLE = Date.UTC(1990, 0, 1);

export function normaliseFeed(feed: ParsedFeed, options: NormaliseOptions): NormaliseResult {
  const articles: NormalisedArticle[] = [];
  const skipped: SkippedItem[] = [];
  const feedUrl = options.feedUrl ?? null;
  const docBase = resolveHttpUrl(feed.base, feedUrl) ?? feedUrl;
  const feedLink = resolveHttpUrl(feed.link, docBase);
  feed.items.forEach((item, index) => {
    const result = normaliseItem(item, { ...options, docBase, feedLink });
    if ('reason' in result) skipped.push({ index, reason: result.reason });
    else articles.push(result);
  });
  return { articles, skipped };
}

/** The first field holding U+0000 (PostgreSQL text cannot hold it, so the item would fail the whole batch). */
function fieldWithNul(item: RawFeedItem): string | null {
  const fields: Array<[string, string | null]> = [
    ['title', item.title],
    ['link', item.link],
    ['guid', item.guid],
    ['summary', item.summary],
    ['content', item.content],
    ['published date', item.published],
    ['updated date', item.updated],
    ['author', item.author],
    ['base', item.base],
  ];
  for (const [name, value] of fields) if (value?.includes('\u0000')) return name;
  if (item.categories.some((c) => c.includes('\u0000'))) return 'category';
  return null;
}

export function normaliseItem(
  item: RawFeedItem,
  options: NormaliseOptions & { docBase?: string | null; feedLink?: string | null },
): NormalisedArticle | { reason: string } {
  const nul = fieldWithNul(item);
  if (nul) return { reason: `item's ${nul} contains a NUL character (U+0000), which cannot be stored as text` };
  const maxSummary = options.maxSummaryLength ?? 1000;
  const maxTitle = options.maxTitleLength ?? 300;
  const itemBase = resolveHttpUrl(item.base, options.docBase) ?? options.docBase ?? null;

  const guid = item.guid?.trim() || null;
  let url = resolveHttpUrl(item.link, itemBase, options.feedLink);
  if (!url && guid && item.guidIsPermaLink) url = resolveHttpUrl(guid, itemBase);
  if (item.link && !url && !guid && !item.title?.trim()) {
    return { reason: `link "${truncateText(item.link, 80)}" is not an http(s) URL and there is no guid or title` };
  }

  const summary = cleanFeedText(item.summary ?? item.content ?? '', maxSummary);
  const cleanedTitle = cleanFeedText(item.title ?? '', maxTitle);
  if (!url && !guid && !cleanedTitle) return { reason: 'item has no link, guid or title' };
  const title = cleanedTitle || truncateText(summary, maxTitle);

  const canonicalUrl = url ? canonicalizeUrl(url) : null;
  const identity = canonicalUrl ?? (guid ? `guid:${guid}` : `title:${title.toLowerCase()}`);

  const fetchedAt = options.fetchedAt;
  const parsed = parseFeedDate(item.published) ?? parseFeedDate(item.updated);
  const plausible =
    parsed !== null && parsed.getTime() >= EARLIEST_PLAUSIBLE && parsed.getTime() <= fetchedAt.getTime() + FUTURE_TOLERANCE_MS;

  const article: NormalisedArticle = {
    guid,
    url,
    canonicalUrl,
    urlHash: sha256Hex(identity),
    title,
    summary,
    publishedAt: plausible ? parsed : new Date(fetchedAt.getTime()),
    publishedAtEstimated: !plausible,
  };
  const author = item.author ? cleanFeedText(item.author, 200) : '';
  if (author) article.author = author;
  const categories = [...new Set(item.categories.map((c) => cleanFeedText(c, 100)).filter(Boolean))];
  if (categories.length) article.categories = categories;
  return article;
}
