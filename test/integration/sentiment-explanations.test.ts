/**
 * Explanations (issue 22): a scored article carries the phrases that pushed it to its label,
 * stored with the score and served as `sentiment { explanation { text weight } }` and on a
 * signal's provenance articles. The fast tier explains from its n-gram weights; the accurate
 * tier by occlusion (on here with TIDINGS_EXPLAIN_ACCURATE, read by the in-process worker).
 */
import { randomUUID } from 'node:crypto';
import { Role } from '../../entities';
import { activeTierVersion, activeVersion, defaultModelsDir } from '../../ml';
import { workflowQueue } from '../../domain/task-queues';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, testEnv, type TestStack } from '../support/stack';

type Phrase = { text: string; weight: number };

describe('sentiment explanations', () => {
  jest.setTimeout(240_000);
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  let user: TestIdentity;
  const previous = { tier: process.env.TIDINGS_ACCURATE_TIER, explain: process.env.TIDINGS_EXPLAIN_ACCURATE };
  const modelsDir = defaultModelsDir();
  const fast = activeVersion(modelsDir)!;
  const accurate = activeTierVersion(modelsDir, 'accurate')!;
  const ticker = `X${randomUUID().slice(0, 5).toUpperCase()}`;
  const title = `${ticker} net profit doubles and the company raises its full-year guidance`;
  let articleId: string;

  beforeAll(async () => {
    process.env.TIDINGS_ACCURATE_TIER = 'on';
    process.env.TIDINGS_EXPLAIN_ACCURATE = 'on';
    stack = await startTestStack({ worker: true });
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    user = await createIdentity(stack.api.db, Role.USER);
    const now = new Date();
    [{ id: articleId }] = await stack.api.db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', md5(random()::text) || md5(random()::text), $1, $2) RETURNING id`,
      [title, now.toISOString()],
    );
    await stack.api.db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 0.9, '{cashtag}', $3)`, [articleId, ticker, now.toISOString()]);
  });
  afterAll(async () => {
    process.env.TIDINGS_ACCURATE_TIER = previous.tier;
    process.env.TIDINGS_EXPLAIN_ACCURATE = previous.explain;
    await temporal.close();
    await stack.stop();
  });

  /** The fast score at once, then the accurate re-score in its own workflow (`${id}-accurate`). */
  const scoreBothTiers = async (articleIds: string[]) => {
    const workflowId = `score-${randomUUID()}`;
    await temporal.client.workflow.execute('scoreArticlesWorkflow', { taskQueue: workflowQueue(stack.config.taskQueue, 'scoreArticlesWorkflow'), workflowId, args: [{ articleIds, accurate: true }] });
    await temporal.client.workflow.getHandle(`${workflowId}-accurate`).result();
  };

  const expectWordsOfTitle = (phrases: Phrase[] | null) => {
    expect(phrases).not.toBeNull();
    expect(phrases!.length).toBeGreaterThan(0);
    expect(phrases!.length).toBeLessThanOrEqual(5);
    for (const p of phrases!) {
      expect(p.weight).toBeGreaterThan(0);
      for (const word of p.text.split(' ')) expect(title).toContain(word);
    }
    for (let i = 1; i < phrases!.length; i++) expect(phrases![i - 1].weight).toBeGreaterThanOrEqual(phrases![i].weight);
  };

  it('stores the phrases with each tier score and serves them on the article and the signal provenance', async () => {
    await scoreBothTiers([articleId]);
    const rows: Array<{ model_version: string; tier: string; label: string; explanation: Phrase[] | null }> = await stack.api.db.query(
      `SELECT model_version, tier, label, explanation FROM sentiment_scores WHERE article_id = $1 ORDER BY tier`,
      [articleId],
    );
    expect(rows.map((r) => [r.tier, r.model_version])).toEqual([
      ['accurate', accurate],
      ['fast', fast],
    ]);
    for (const r of rows) {
      expect(r.label).toBe('positive');
      expectWordsOfTitle(r.explanation);
    }
    // what pushed "net profit doubles … raises its guidance" to positive is in those words, not the ticker
    const fastWords = rows[1].explanation!.map((p) => p.text.toLowerCase()).join(' ');
    expect(fastWords).toMatch(/doubles|raises|profit|guidance/);

    const articles = await stack.gql<{ articles: { edges: Array<{ node: { sentiment: { tier: string; explanation: Phrase[] | null } } }> } }>(
      `query($t: [String!]) { articles(first: 5, filter: { tickers: $t }) { edges { node { sentiment { tier explanation { text weight } } } } } }`,
      { t: [ticker] },
      user.headers,
    );
    expect(articles.errors).toBeUndefined();
    const served = articles.data!.articles.edges[0].node.sentiment;
    expect(served.tier).toBe('accurate');
    expect(served.explanation).toEqual(rows[0].explanation);

    const [signal] = (await stack.api.db.query(
      `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size, model_versions) VALUES ($1, now(), 'BUY', 0.7, 'MEDIUM', 0.05, ARRAY[$2, $3]) RETURNING id`,
      [ticker, fast, accurate],
    )) as Array<{ id: string }>;
    await stack.api.db.query(`INSERT INTO signal_articles (signal_id, article_id) VALUES ($1, $2)`, [signal.id, articleId]);
    const provenance = await stack.gql<{ signal: { articles: Array<{ modelVersion: string; explanation: Phrase[] | null }> } }>(
      `query($id: ID!) { signal(id: $id) { articles { modelVersion explanation { text weight } } } }`,
      { id: signal.id },
      user.headers,
    );
    expect(provenance.errors).toBeUndefined();
    const [used] = provenance.data!.signal.articles;
    expect(used.modelVersion).toBe(accurate); // the accurate score is preferred, and it is explained
    expect(used.explanation).toEqual(rows[0].explanation);
  });
});
