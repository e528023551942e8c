import type { ArticleWithTickers } from './article-store';
import type { NormalisedArticle } from '../domain/feeds';
import fs from 'node:fs';
import { sharedDataPath } from '../config/paths';
import { createTickerExtractor, defaultInstruments, listedUniverse, loadSp500Companies, mergeInstruments, normaliseCik, type AssetClass, type Company, type TickerExtractor } from '../domain/tickers';

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

let extractor: TickerExtractor | undefined;
let base: Company[] | undefined;

/**
 * Every US-listed symbol (companies/us_listed.csv) with the S&P 500 list laid over it, plus the
 * built-in crypto and ETF instruments. A data directory without the listing (a user's own
 * TIDINGS_SHARED_DIR) falls back to the S&P 500 list.
 */
function baseUniverse(): Company[] {
  base ??= fs.existsSync(sharedDataPath('companies', 'us_listed.csv')) ? listedUniverse() : mergeInstruments(loadSp500Companies(), defaultInstruments());
  return base;
}

/** Built once per process: the listed universe and built-in instruments (about a second). No admin instruments. */
export function sharedTickerExtractor(): TickerExtractor {
  extractor ??= createTickerExtractor(baseUniverse());
  return extractor;
}

let current: { version: string; extractor: TickerExtractor } | undefined;

/**
 * The extractor for the whole universe: S&P 500, built-in defaults, and the admin-managed
 * `instruments` (a row replaces a default or S&P entry with the same symbol). One cheap query
 * per call checks whether the table changed; the matcher is rebuilt only then, so an instrument
 * an admin adds is used by the next poll or import in every process.
 */
export async function currentTickerExtractor(db: Queryable): Promise<TickerExtractor> {
  const [stamp] = (await db.query(`SELECT count(*)::int AS n, max(updated_at) AS at FROM instruments`)) as Array<{ n: number; at: Date | null }>;
  const version = `${stamp?.n ?? 0}:${stamp?.at ? new Date(stamp.at).toISOString() : ''}`;
  if (stamp?.n === 0) return sharedTickerExtractor();
  if (current?.version === version) return current.extractor;
  const rows = (await db.query(`SELECT symbol, name, aliases, exchange, asset_class, sector, cik FROM instruments ORDER BY symbol`)) as Array<{
    symbol: string;
    name: string;
    aliases: string[];
    exchange: string | null;
    asset_class: AssetClass;
    sector: string | null;
    cik: string | null;
  }>;
  const admin: Company[] = rows.map((r) => ({
    ticker: r.symbol,
    name: r.name,
    aliases: r.aliases,
    exchange: r.exchange,
    assetClass: r.asset_class,
    sector: r.sector,
    cik: normaliseCik(r.cik),
  }));
  current = { version, extractor: createTickerExtractor(mergeInstruments(baseUniverse(), admin)) };
  return current.extractor;
}

/**
 * Each article with the tickers it mentions, read from its title, summary, URL and guid: the
 * one mapping from a normalised article to the extractor, for polled feeds and imports alike.
 */
export function withTickers(articles: NormalisedArticle[], extractor: TickerExtractor = sharedTickerExtractor()): ArticleWithTickers[] {
  return articles.map((article) => ({
    article,
    tickers: extractor.extract({ title: article.title, summary: article.summary, url: article.url ?? undefined, guid: article.guid ?? undefined, publishedAt: article.publishedAt }),
  }));
}
