import type { ArticleWithTickers } from '../db/article-store';
import type { NormalisedArticle } from '../domain/feeds';
import { createTickerExtractor, loadSp500Companies, type TickerExtractor } from '../domain/tickers';

let extractor: TickerExtractor | undefined;

/** Built once per process: the S&P 500 list compiled into one matcher (~tens of ms). */
export function sharedTickerExtractor(): TickerExtractor {
  extractor ??= createTickerExtractor(loadSp500Companies());
  return extractor;
}

/**
 * Each article with the tickers it mentions, read from its title, summary, URL and guid: the
 * one mapping from a normalised article to the extractor, for polled feeds and imports alike.
 */
export function withTickers(articles: NormalisedArticle[]): ArticleWithTickers[] {
  const tickers = sharedTickerExtractor();
  return articles.map((article) => ({
    article,
    tickers: tickers.extract({ title: article.title, summary: article.summary, url: article.url ?? undefined, guid: article.guid ?? undefined }),
  }));
}
