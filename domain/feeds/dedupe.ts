import type { NormalisedArticle } from './normalise';

/**
 * What makes two articles the same story: the canonical-URL hash (unique across feeds), or the
 * guid (unique within one feed, which is how the store should scope it: feed id + guid).
 */
export interface ArticleDedupeKey {
  urlHash: string;
  guid: string | null;
}

export function articleDedupeKey(article: Pick<NormalisedArticle, 'urlHash' | 'guid'>): ArticleDedupeKey {
  return { urlHash: article.urlHash, guid: article.guid };
}

/** Indexes are positions in the array given to dedupeArticles (normalised articles, not raw feed items). */
export interface DuplicateArticle {
  index: number;
  duplicateOf: number;
  by: 'urlHash' | 'guid';
}

/** Dedupes one batch (one feed fetch), keeping the first occurrence, which is the feed's newest in practice. */
export function dedupeArticles<T extends Pick<NormalisedArticle, 'urlHash' | 'guid'>>(
  articles: readonly T[],
): { unique: T[]; duplicates: DuplicateArticle[] } {
  const byHash = new Map<string, number>();
  const byGuid = new Map<string, number>();
  const unique: T[] = [];
  const duplicates: DuplicateArticle[] = [];
  articles.forEach((article, index) => {
    const hashHit = byHash.get(article.urlHash);
    if (hashHit !== undefined) return void duplicates.push({ index, duplicateOf: hashHit, by: 'urlHash' });
    const guidHit = article.guid === null ? undefined : byGuid.get(article.guid);
    if (guidHit !== undefined) return void duplicates.push({ index, duplicateOf: guidHit, by: 'guid' });
    byHash.set(article.urlHash, index);
    if (article.guid !== null) byGuid.set(article.guid, index);
    unique.push(article);
  });
  return { unique, duplicates };
}
