import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';

/**
 * Feed tests serve fixtures from 127.0.0.1, which the SSRF guard refuses by default: their
 * stacks and workers allow exactly that address (any port) through the operator allow-list.
 */
export const LOCAL_FEEDS_ENV = { TIDINGS_FETCH_ALLOW_HOSTS: '127.0.0.1' } as const;

/**
 * A real SEC feed from ../shared with every sec.gov link and guid moved under a fresh path, so
 * test files sharing one database never dedupe against each other's articles.
 */
export function uniqueSecFeed(file: string): Buffer {
  const tag = `t-${randomUUID()}`;
  return Buffer.from(fs.readFileSync(sharedDataPath('feeds', file), 'latin1').replace(/https?:\/\/www\.sec\.gov\//g, `https://www.sec.gov/${tag}/`), 'latin1');
}
