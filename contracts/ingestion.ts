/** What one poll did; small on purpose (it travels through Temporal's history). */
export interface PollOutcome {
  status: 'ok' | 'not-modified' | 'skipped' | 'failed';
  reason?: string;
  newArticleIds: string[];
  parsed: number;
  skippedItems: number;
  duplicates: number;
}
