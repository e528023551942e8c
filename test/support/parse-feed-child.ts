/**
 * Parses one feed file (argv[2]) the way a poll does and prints counts and RSS growth as JSON:
 * run with a small --max-old-space-size to show that a hostile feed's memory stays bounded.
 */
import fs from 'node:fs';
import { articlesFromFeedBody } from '../../domain/feeds';

const body = fs.readFileSync(process.argv[2]!);
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const result = articlesFromFeedBody(body, { fetchedAt: new Date() });
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);
process.stdout.write(
  JSON.stringify({ articles: result.articles.length, skipped: result.skipped.length, itemsOverCap: result.itemsOverCap, rssGrowthMB: Math.round((peak - before) / 1e6) }),
);
