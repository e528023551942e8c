import { randomUUID } from 'node:crypto';
import { activeTierVersion, activeVersion, defaultModelsDir } from '../../ml';
import { loadObservations } from '../../store/signal-input-store';
import { accurateTierStack } from '../support/accurate-stack';
import { workflowQueue } from '../../domain/task-queues';

// The accurate tier on a real worker: the encoder weights come from the install step
// (models/encoder/all-MiniLM-L6-v2 or TIDINGS_ENCODER_DIR), the heads from models/sentiment.
describe('accurate sentiment tier on Temporal', () => {
  jest.setTimeout(180_000);
  const harness = accurateTierStack();
  const modelsDir = defaultModelsDir();
  const accurate = activeTierVersion(modelsDir, 'accurate')!;
  const fast = activeVersion(modelsDir)!;


  async function seed(title: string, tickers: string[], publishedAt: Date): Promise<string> {
    const [{ id }] = await harness.stack.api.db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', md5(random()::text) || md5(random()::text), $1, $2) RETURNING id`,
      [title, publishedAt.toISOString()],
    );
    for (const t of tickers) {
      await harness.stack.api.db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 0.8, '{cashtag}', $3)`, [id, t, publishedAt.toISOString()]);
    }
    return id as string;
  }

  it('an accurate model is active beside the fast one', () => {
    expect(accurate).toBeTruthy();
    expect(accurate).not.toBe(fast);
  });

  it('new articles get the fast score at once, then a separate workflow re-scores them with the accurate tier, per ticker too', async () => {
    const title = '$AAPL soars to a record high on blowout earnings while $MSFT plunges after a guidance cut';
    const id = await seed(title, ['AAPL', 'MSFT'], new Date());
    const workflowId = `score-${randomUUID()}`;
    const fastResult = await harness.temporal.client.workflow.execute('scoreArticlesWorkflow', {
      taskQueue: workflowQueue(harness.stack.config.taskQueue, 'scoreArticlesWorkflow'),
      workflowId,
      args: [{ articleIds: [id], accurate: true }],
    });
    expect(fastResult).toMatchObject({ modelVersion: fast, scored: 1 });
    const accurateResult = await harness.temporal.client.workflow.getHandle(`${workflowId}-accurate`).result();
    expect(accurateResult).toMatchObject({ modelVersion: accurate, scored: 1 });

    const rows: Array<{ tier: string; model_version: string }> = await harness.stack.api.db.query(`SELECT tier, model_version FROM sentiment_scores WHERE article_id = $1 ORDER BY tier`, [id]);
    expect(rows).toEqual([
      { tier: 'accurate', model_version: accurate },
      { tier: 'fast', model_version: fast },
    ]);
    // One per-ticker score per named ticker, from the entity head (whose labels are a model's
    // judgement, measured by `npm run eval:sentiment -- --entities`, not asserted here).
    const perTicker: Array<{ ticker: string; label: string; score: number; model_version: string; prob_positive: number; prob_negative: number }> = await harness.stack.api.db.query(
      `SELECT ticker, label, score, model_version, prob_positive, prob_negative FROM ticker_sentiment_scores WHERE article_id = $1 ORDER BY ticker`,
      [id],
    );
    expect(perTicker.map((r) => [r.ticker, r.model_version])).toEqual([
      ['AAPL', accurate],
      ['MSFT', accurate],
    ]);
    for (const r of perTicker) {
      expect(['negative', 'neutral', 'positive']).toContain(r.label);
      expect(r.score).toBeCloseTo(r.prob_positive - r.prob_negative, 5);
    }

    // article.sentiment prefers the accurate score and says which tier made it
    const res = await harness.stack.gql<{ article: { sentiment: { tier: string; modelVersion: string } } }>(
      'query($id: ID!) { article(id: $id) { sentiment { tier modelVersion } } }',
      { id },
      harness.user.headers,
    );
    expect(res.data!.article.sentiment).toEqual({ tier: 'accurate', modelVersion: accurate });

    // signals read the per-ticker score for each ticker
    const msft = (await loadObservations(harness.stack.api.db, 'MSFT', null, new Date(Date.now() + 1000))).find((o) => o.articleId === id)!;
    const aapl = (await loadObservations(harness.stack.api.db, 'AAPL', null, new Date(Date.now() + 1000))).find((o) => o.articleId === id)!;
    expect(msft.modelVersion).toBe(accurate);
    expect(msft.score).toBeCloseTo(perTicker[1].score, 5);
    expect(aapl.score).toBeCloseTo(perTicker[0].score, 5);
    expect(msft.label).toBe(perTicker[1].label);
  });

  it('backfilling history with the accurate tier is the backfill workflow with its version: throttled and resumable', async () => {
    const day = new Date('2002-05-06T12:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await seed(`Backfill headline ${i}: profit warning sends shares lower`, [], day));
    const range = { from: '2002-05-06T00:00:00Z', to: '2002-05-07T00:00:00Z' };
    const run = () =>
      harness.temporal.client.workflow.execute('backfillSentimentWorkflow', {
        taskQueue: workflowQueue(harness.stack.config.taskQueue, 'backfillSentimentWorkflow'),
        workflowId: `backfill-${randomUUID()}`,
        args: [{ ...range, tier: 'accurate', pageSize: 2, pauseBetweenPages: '200 milliseconds' }],
      }) as Promise<{ modelVersion: string; scored: number }>;
    expect(await run()).toEqual({ modelVersion: accurate, scored: 5 });
    expect(await run()).toEqual({ modelVersion: accurate, scored: 0 });
    const labels: Array<{ label: string; tier: string }> = await harness.stack.api.db.query(`SELECT label, tier FROM sentiment_scores WHERE article_id = ANY($1) AND model_version = $2`, [ids, accurate]);
    expect(labels).toHaveLength(5);
    for (const l of labels) expect(l).toEqual({ label: 'negative', tier: 'accurate' });
  });
});
