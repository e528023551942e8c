/**
 * scoreArticles (activities/sentiment.activities.ts) against the real PostgreSQL, run in the
 * SDK's own activity harness: scoring the same articles twice (a retry) stores one score per
 * (article, model version) and reports the second run's articles as already scored; model
 * versions that do not exist fail without retries.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { sentimentActivities } from '../../../activities/sentiment.activities';
import { createLogger } from '../../../config/logger';
import type { ScoreArticlesResult } from '../../../contracts';
import { createDataSource } from '../../../db/data-source';
import { createLexiconScorer } from '../../../domain/sentiment';
import { testEnv } from '../../support/stack';

describe('scoreArticles activity', () => {
  let db: DataSource;
  let activities: ReturnType<typeof sentimentActivities>;
  const lexicon = createLexiconScorer().modelVersion;

  const insertArticles = async (titles: string[]): Promise<string[]> => {
    const ids: string[] = [];
    for (const title of titles) {
      const [{ id }] = (await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, now()) RETURNING id`, [
        createHash('sha256').update(randomUUID()).digest('hex'),
        `${title} ${randomUUID().slice(0, 8)}`,
      ])) as Array<{ id: string }>;
      ids.push(id);
    }
    return ids;
  };
  const scoreRows = async (ids: string[]) =>
    (await db.query(`SELECT article_id, model_version, count(*)::int AS n FROM sentiment_scores WHERE article_id = ANY($1) GROUP BY 1, 2`, [ids])) as Array<{ article_id: string; model_version: string; n: number }>;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    activities = sentimentActivities(db, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('scores each article once per model: a second run scores nothing and stores no second row', async () => {
    const ids = await insertArticles(['Profits soar as company beats estimates', 'Shares plunge after fraud charges', 'Company holds annual meeting']);
    const first = (await new MockActivityEnvironment().run(activities.scoreArticles, { articleIds: ids, modelVersion: lexicon })) as ScoreArticlesResult;
    expect(first).toEqual({ modelVersion: lexicon, scored: 3, alreadyScored: 0 });
    const again = (await new MockActivityEnvironment().run(activities.scoreArticles, { articleIds: ids, modelVersion: lexicon, batchSize: 1 })) as ScoreArticlesResult;
    expect(again).toEqual({ modelVersion: lexicon, scored: 0, alreadyScored: 3 });
    const rows = await scoreRows(ids);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.n === 1 && r.model_version === lexicon)).toBe(true);
  });

  it('a retry after a partial run scores only the rest', async () => {
    const ids = await insertArticles(['Record revenue lifts outlook', 'Regulator fines bank', 'Board names new chair', 'Dividend raised again']);
    await new MockActivityEnvironment().run(activities.scoreArticles, { articleIds: ids.slice(0, 2), modelVersion: lexicon });
    const rest = (await new MockActivityEnvironment().run(activities.scoreArticles, { articleIds: ids, modelVersion: lexicon, batchSize: 1 })) as ScoreArticlesResult;
    expect(rest).toEqual({ modelVersion: lexicon, scored: 2, alreadyScored: 2 });
    expect((await scoreRows(ids)).map((r) => r.n)).toEqual([1, 1, 1, 1]);
  });

  it('finds unscored articles for a version and stops finding them once scored', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const ids = await insertArticles(['Guidance cut on weak demand']);
    const to = new Date(Date.now() + 60_000).toISOString();
    const before = (await new MockActivityEnvironment().run(activities.findUnscoredArticles, { from, to, modelVersion: lexicon, limit: 5000 })) as string[];
    expect(before).toContain(ids[0]);
    await new MockActivityEnvironment().run(activities.scoreArticles, { articleIds: ids, modelVersion: lexicon });
    const after = (await new MockActivityEnvironment().run(activities.findUnscoredArticles, { from, to, modelVersion: lexicon, limit: 5000 })) as string[];
    expect(after).not.toContain(ids[0]);
  });

  it('calls the lexicon fast, and an unknown model version a non-retryable failure', async () => {
    expect(await new MockActivityEnvironment().run(activities.modelTierOf, { modelVersion: lexicon })).toBe('fast');
    await expect(new MockActivityEnvironment().run(activities.modelTierOf, { modelVersion: `no-such-model-${randomUUID()}` })).rejects.toMatchObject({ nonRetryable: true, type: 'UnknownModelVersion' });
  });
});
