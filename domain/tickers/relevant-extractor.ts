/**
 * The ticker extractor the application uses: mentions scored by extractor.ts, then mentions made
 * only in passing (lists, boilerplate) discounted by passing-mentions.ts.
 */
import type { Company } from './company';
import { createTickerExtractor as createMentionExtractor, type TickerExtractor } from './extractor';
import { discountPassingMentions } from './passing-mentions';

export function createTickerExtractor(companies: readonly Company[]): TickerExtractor {
  return discountPassingMentions(createMentionExtractor(companies));
}
