import { randomUUID } from 'node:crypto';
import { LEXICON_NAME } from '../../domain/sentiment';
import { activeVersion as activeVersionIn, defaultModelsDir } from '../../ml';

const activeVersion = () => activeVersionIn(defaultModelsDir());
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { workflowQueue } from '../../domain/task-queues';

describe('sentiment scoring on Temporal', () => {
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await temporal.close();
    await stack.stop();
  });

  async function seedArticles(titles: string[], publishedAt: Date): Promise<string[]> {
    const rows: Array<{ id: string }> = await stack.api.db.query(
      `INSERT INTO articles (source, url_hash, title, published_at)
       SELECT 'import', md5(random()::text || t) || md5(t || random()::text), t, $2 FROM unnest($1::text[]) AS t RETURNING id`,
      [titles, publishedAt.toISOString()],
    );
    return rows.map((r) => r.id);
  }

  const run = <T>(workflow: string, arg: unknown) =>
    temporal.client.workflow.execute(workflow, { taskQueue: workflowQueue(stack.config.taskQueue, { name: workflow }), workflowId: `${workflow}-${randomUUID()}`, args: [arg] }) as Promise<T>;

  it('scores each article once per model version, with the model version on every row', async () => {
    const ids = await seedArticles(
      ['Apple shares soar after record quarterly profit', 'Company files for bankruptcy as losses mount', 'Board schedules annual meeting for May', ''],
      new Date(),
    );
    const first = await run<{ modelVersion: string; scored: number; alreadyScored: number }>('scoreArticlesWorkflow', { articleIds: ids, batchSize: 2 });
    expect(first).toEqual({ modelVersion: activeVersion(), scored: 4, alreadyScored: 0 });
    const rows: Array<{ title: string; label: string | null; score: number | null; model_version: string; unscored_reason: string | null; prob_positive: number | null }> =
      await stack.api.db.query(
        `SELECT a.title, s.label, s.score, s.model_version, s.unscored_reason, s.prob_positive FROM sentiment_scores s JOIN articles a ON a.id = s.article_id WHERE a.id = ANY($1) ORDER BY a.title`,
        [ids],
      );
    expect(rows).toHaveLength(4);
    const byTitle = Object.fromEntries(rows.map((r) => [r.title, r]));
    expect(byTitle['Apple shares soar after record quarterly profit'].label).toBe('positive');
    expect(byTitle['Company files for bankruptcy as losses mount'].label).toBe('negative');
    expect(byTitle[''].unscored_reason).toBeTruthy();
    expect(byTitle[''].label).toBeNull();
    for (const r of rows) {
      expect(r.model_version).toBe(activeVersion());
      if (r.score !== null) expect(Math.abs(r.score)).toBeLessThanOrEqual(1);
    }
    const again = await run<{ scored: number; alreadyScored: number }>('scoreArticlesWorkflow', { articleIds: ids });
    expect(again).toMatchObject({ scored: 0, alreadyScored: 4 });
  });

  it('with model_sentiment off, new scores come from the lexicon fallback', async () => {
    const ids = await seedArticles(['Profit warning sends shares tumbling'], new Date());
    await stack.api.db.query(`UPDATE feature_flags SET enabled = false WHERE key = 'model_sentiment'`);
    try {
      await new Promise((r) => setTimeout(r, 5200)); // the worker re-reads flags every 5 s
      const result = await run<{ modelVersion: string; scored: number }>('scoreArticlesWorkflow', { articleIds: ids });
      expect(result.modelVersion).toBe(`lexicon-${LEXICON_NAME}`);
      expect(result.scored).toBe(1);
    } finally {
      await stack.api.db.query(`UPDATE feature_flags SET enabled = true WHERE key = 'model_sentiment'`);
    }
  });

  it('a backfill re-scores a time range with a chosen version, page by page, writing no row twice', async () => {
    const day = new Date('2001-03-04T12:00:00Z');
    const ids = await seedArticles(Array.from({ length: 23 }, (_, i) => `Backfill headline ${i} beats expectations`), day);
    const range = { from: '2001-03-04T00:00:00Z', to: '2001-03-05T00:00:00Z' };
    const lexicon = `lexicon-${LEXICON_NAME}`;
    const first = await run<{ modelVersion: string; scored: number }>('backfillSentimentWorkflow', { ...range, modelVersion: lexicon, pageSize: 5 });
    expect(first).toEqual({ modelVersion: lexicon, scored: 23 });
    const second = await run<{ scored: number }>('backfillSentimentWorkflow', { ...range, modelVersion: lexicon, pageSize: 5 });
    expect(second.scored).toBe(0);
    const [{ n }] = await stack.api.db.query(`SELECT count(*)::int AS n FROM sentiment_scores WHERE article_id = ANY($1) AND model_version = $2`, [ids, lexicon]);
    expect(n).toBe(23);
  });
});
