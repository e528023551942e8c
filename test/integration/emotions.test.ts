import { randomUUID } from 'node:crypto';
import { EMOTION_LABELS } from '../../domain/emotions/labels';
import { workflowQueue } from '../../domain/task-queues';
import { activeEmotionVersion, activeTierVersion, defaultModelsDir, emotionsDirBeside, readEmotionMetadata } from '../../ml';
import { accurateTierStack } from '../support/accurate-stack';

// Emotions on a real worker: the accurate tier (encoder from the install step, heads from
// models/sentiment) with the emotion head of models/emotions, real PostgreSQL and Temporal.
describe('emotions: scoring, backfill and API', () => {
  jest.setTimeout(240_000);
  const harness = accurateTierStack();
  const modelsDir = defaultModelsDir();
  const accurate = activeTierVersion(modelsDir, 'accurate')!;
  const emotionVersion = activeEmotionVersion(emotionsDirBeside(modelsDir))!;


  async function seed(title: string, tickers: string[], publishedAt: Date): Promise<string> {
    const [{ id }] = await harness.stack.api.db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', md5(random()::text) || md5(random()::text), $1, $2) RETURNING id`, [
      title,
      publishedAt.toISOString(),
    ]);
    for (const t of tickers) {
      await harness.stack.api.db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 0.8, '{cashtag}', $3)`, [id, t, publishedAt.toISOString()]);
    }
    return id as string;
  }

  const PROBS = 'probabilities { neutral happy sad anger disgust surprise fear }';

  it('an emotion head for the active accurate encoder is shipped, with its metadata', () => {
    expect(emotionVersion).toBeTruthy();
    const meta = readEmotionMetadata(emotionsDirBeside(modelsDir), emotionVersion);
    expect(meta.encoderVersion).toBe(accurate);
    expect(meta.classes).toEqual([...EMOTION_LABELS]);
    expect(meta.data.stocktwits.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((meta.metrics.cv5 as { accuracy: number }).accuracy).toBeGreaterThan(0.35); // above always-neutral
  });

  it('the accurate re-score of new articles stores their emotions from the same pass; article.emotions serves them', async () => {
    const id = await seed('$TSLA crashing hard, I am terrified this goes to zero', ['TSLA'], new Date());
    const workflowId = `score-${randomUUID()}`;
    await harness.temporal.client.workflow.execute('scoreArticlesWorkflow', { taskQueue: workflowQueue(harness.stack.config.taskQueue, 'scoreArticlesWorkflow'), workflowId, args: [{ articleIds: [id], accurate: true, signals: false }] });
    expect(await harness.temporal.client.workflow.getHandle(`${workflowId}-accurate`).result()).toMatchObject({ modelVersion: accurate, scored: 1 });

    const rows: Array<Record<string, number | string>> = await harness.stack.api.db.query(`SELECT * FROM article_emotions WHERE article_id = $1`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].model_version).toBe(emotionVersion);
    const sum = EMOTION_LABELS.reduce((s, l) => s + Number(rows[0][`prob_${l}`]), 0);
    expect(sum).toBeCloseTo(1, 4);
    const best = EMOTION_LABELS.reduce((a, b) => (Number(rows[0][`prob_${b}`]) > Number(rows[0][`prob_${a}`]) ? b : a));
    expect(rows[0].label).toBe(best);

    const res = await harness.stack.gql<{ article: { emotions: { label: string; modelVersion: string; probabilities: Record<string, number> } } }>(
      `query($id: ID!) { article(id: $id) { emotions { label modelVersion ${PROBS} } } }`,
      { id },
      harness.user.headers,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.article.emotions.label).toBe(best);
    expect(res.data!.article.emotions.modelVersion).toBe(emotionVersion);
    expect(res.data!.article.emotions.probabilities.fear).toBeCloseTo(Number(rows[0].prob_fear), 5);

    // an article page resolves emotions in one batch; an unscored article has none
    const other = await seed('$TSLA unscored article for the page', ['TSLA'], new Date(Date.now() - 60_000));
    const page = await harness.stack.gql<{ articles: { edges: Array<{ node: { id: string; emotions: { label: string } | null } }> } }>(
      `{ articles(filter: { tickers: ["TSLA"] }, first: 10) { edges { node { id emotions { label } } } } }`,
      {},
      harness.user.headers,
    );
    expect(page.errors).toBeUndefined();
    const byId = new Map(page.data!.articles.edges.map((e) => [e.node.id, e.node.emotions]));
    expect(byId.get(id)).toEqual({ label: best });
    expect(byId.get(other)).toBeNull();
  });

  it('the emotion backfill workflow scores stored articles once: resumable, and a second run has nothing to do', async () => {
    const day = new Date('2003-03-03T12:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await seed(`Backfill ${i}: so happy with these gains, great quarter`, [], day));
    const run = () =>
      harness.temporal.client.workflow.execute('backfillEmotionsWorkflow', {
        taskQueue: workflowQueue(harness.stack.config.taskQueue, 'backfillEmotionsWorkflow'),
        workflowId: `emotion-backfill-${randomUUID()}`,
        args: [{ from: '2003-03-03T00:00:00Z', to: '2003-03-04T00:00:00Z', pageSize: 2 }],
      }) as Promise<{ emotionVersion: string; scored: number }>;
    expect(await run()).toEqual({ emotionVersion, scored: 5 });
    expect(await run()).toEqual({ emotionVersion, scored: 0 });
    const [{ n }] = await harness.stack.api.db.query(`SELECT count(*)::int AS n FROM article_emotions WHERE article_id = ANY($1) AND model_version = $2`, [ids, emotionVersion]);
    expect(n).toBe(5);
    // the sentiment tables are not touched by an emotion backfill
    const [{ s }] = await harness.stack.api.db.query(`SELECT count(*)::int AS s FROM sentiment_scores WHERE article_id = ANY($1)`, [ids]);
    expect(s).toBe(0);
  });

  it('tickerEmotions gives counts and shares per emotion per bucket, and refuses bad input with a code', async () => {
    const ticker = 'EMOT';
    const day1 = new Date('2004-01-05T10:00:00Z');
    const day2 = new Date('2004-01-06T10:00:00Z');
    const labels: Array<[Date, string]> = [
      [day1, 'fear'],
      [day1, 'fear'],
      [day1, 'happy'],
      [day1, 'neutral'],
      [day2, 'happy'],
    ];
    for (const [at, label] of labels) {
      const id = await seed(`${ticker} article ${label}`, [ticker], at);
      const probs = EMOTION_LABELS.map((l) => (l === label ? 0.7 : 0.05));
      await harness.stack.api.db.query(
        `INSERT INTO article_emotions (article_id, model_version, label, prob_neutral, prob_happy, prob_sad, prob_anger, prob_disgust, prob_surprise, prob_fear) VALUES ($1, 'emo-test', $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, label, ...probs],
      );
    }
    const res = await harness.stack.gql<{
      tickerEmotions: Array<{ bucketStart: string; count: number; counts: Record<string, number>; shares: Record<string, number>; meanProbabilities: Record<string, number> }>;
    }>(
      `{ tickerEmotions(ticker: "emot", from: "2004-01-01T00:00:00Z", to: "2004-01-10T00:00:00Z", interval: DAY) {
          bucketStart count counts { neutral happy sad anger disgust surprise fear } shares { neutral happy fear } meanProbabilities { fear happy } } }`,
      {},
      harness.user.headers,
    );
    expect(res.errors).toBeUndefined();
    const buckets = res.data!.tickerEmotions;
    expect(buckets.map((b) => [new Date(b.bucketStart).toISOString(), b.count])).toEqual([
      ['2004-01-05T00:00:00.000Z', 4],
      ['2004-01-06T00:00:00.000Z', 1],
    ]);
    expect(buckets[0].counts).toEqual({ neutral: 1, happy: 1, sad: 0, anger: 0, disgust: 0, surprise: 0, fear: 2 });
    expect(buckets[0].shares).toEqual({ neutral: 0.25, happy: 0.25, fear: 0.5 });
    expect(buckets[0].meanProbabilities.fear).toBeCloseTo((0.7 * 2 + 0.05 * 2) / 4, 5);
    expect(buckets[1].shares.happy).toBe(1);

    const bad = await harness.stack.gql(`{ tickerEmotions(ticker: "EMOT", from: "2004-01-10T00:00:00Z", to: "2004-01-01T00:00:00Z") { count } }`, {}, harness.user.headers);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const anonymous = await harness.stack.gql(`{ tickerEmotions(ticker: "EMOT", from: "2004-01-01T00:00:00Z", to: "2004-01-10T00:00:00Z") { count } }`, {});
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('signals report emotion features with provenance: recent fear share and its change against the ticker baseline', async () => {
    const ticker = 'EMOSIG';
    const asOf = new Date('2005-06-15T12:00:00Z');
    const hoursBefore = (h: number) => new Date(asOf.getTime() - h * 3.6e6);
    // baseline (days 2-10 back): 1 fear in 4; recent day: 3 fear in 4
    const plan: Array<[number, string]> = [
      [48, 'neutral'],
      [96, 'fear'],
      [144, 'happy'],
      [200, 'neutral'],
      [1, 'fear'],
      [2, 'fear'],
      [3, 'fear'],
      [4, 'neutral'],
    ];
    const recent: string[] = [];
    for (const [h, label] of plan) {
      const id = await seed(`${ticker} story ${h}`, [ticker], hoursBefore(h));
      if (h < 24) recent.push(id);
      await harness.stack.api.db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score, tier) VALUES ($1, 'test-fast', 'negative', -0.5, 'fast')`, [id]);
      const probs = EMOTION_LABELS.map((l) => (l === label ? 0.7 : 0.05));
      await harness.stack.api.db.query(
        `INSERT INTO article_emotions (article_id, model_version, label, prob_neutral, prob_happy, prob_sad, prob_anger, prob_disgust, prob_surprise, prob_fear) VALUES ($1, 'emo-test', $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, label, ...probs],
      );
    }
    await harness.temporal.client.workflow.execute('computeSignalsWorkflow', {
      taskQueue: workflowQueue(harness.stack.config.taskQueue, 'computeSignalsWorkflow'),
      workflowId: `signals-${randomUUID()}`,
      args: [{ tickers: [ticker], asOf: asOf.toISOString() }],
    });
    const res = await harness.stack.gql<{
      signals: {
        edges: Array<{
          node: {
            emotions: {
              recentArticles: number;
              baselineArticles: number;
              fearShare: number;
              fearShareChange: number;
              risingEmotion: string;
              modelVersions: string[];
              articleIds: string[];
              recentShares: { fear: number; neutral: number };
            };
          };
        }>;
      };
    }>(
      `{ signals(filter: { tickers: ["${ticker}"] }, first: 5) { edges { node { emotions {
          recentArticles baselineArticles fearShare fearShareChange risingEmotion modelVersions articleIds recentShares { fear neutral } } } } } }`,
      {},
      harness.user.headers,
    );
    expect(res.errors).toBeUndefined();
    const e = res.data!.signals.edges[0].node.emotions;
    expect(e.recentArticles).toBe(4);
    expect(e.baselineArticles).toBe(4);
    expect(e.fearShare).toBeCloseTo(0.75, 5);
    expect(e.fearShareChange).toBeCloseTo(0.5, 5);
    expect(e.risingEmotion).toBe('fear');
    expect(e.recentShares.neutral).toBeCloseTo(0.25, 5);
    expect(e.modelVersions).toEqual(['emo-test']);
    expect([...e.articleIds].sort()).toEqual([...recent].sort());
  });
});
