/**
 * Real headlines (the shared twitter sentiment set) as synthetic RSS feeds, for the benchmarks
 * that drive the real ingestion path (`ingest`, `chaos`). A helper, not a benchmark (bench/run.ts
 * skips files starting with "_").
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sharedDataPath } from '../config/paths';

/** Every training headline of the shared twitter set, links removed. */
export function loadHeadlines(): string[] {
  const rows = parse(fs.readFileSync(sharedDataPath('sentiment', 'twitter-financial-news', 'train.csv')), { columns: true }) as Array<{ text: string }>;
  return rows.map((r) => r.text.replace(/https?:\/\/\S+/g, '').trim()).filter(Boolean);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One RSS 2.0 feed of `count` items, headlines from `offset` on, one minute apart; links and
 * guids are unique per (run, feed, item), so each run stores fresh articles.
 */
export function syntheticRss(opts: { run: string; feed: number; headlines: string[]; offset: number; count: number; title: string; withDescription: boolean }): string {
  const items: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const h = opts.headlines[(opts.offset + i) % opts.headlines.length];
    const date = new Date(Date.UTC(2026, 10, 1) + (opts.offset + i) * 60_000).toUTCString();
    const description = opts.withDescription ? `<description>${esc(h)}</description>` : '';
    items.push(`<item><title>${esc(h)}</title><link>https://news.example/${opts.run}/${opts.feed}/${i}</link><guid>${opts.run}-${opts.feed}-${i}</guid><pubDate>${date}</pubDate>${description}</item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${esc(opts.title)}</title><link>https://news.example/</link>${items.join('')}</channel></rss>`;
}
