import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';

/**
 * A real SEC feed from ../shared with every sec.gov link and guid moved under a fresh path, so
 * test files sharing one database never dedupe against each other's articles.
 */
export function uniqueSecFeed(file: string): Buffer {
  const tag = `t-${randomUUID()}`;
  return Buffer.from(fs.readFileSync(sharedDataPath('feeds', file), 'latin1').replace(/https?:\/\/www\.sec\.gov\//g, `https://www.sec.gov/${tag}/`), 'latin1');
}
