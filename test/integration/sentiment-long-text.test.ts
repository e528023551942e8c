import { activeTierVersion, activeVersion, defaultModelsDir } from '../../ml';
import { accurateTierStack } from '../support/accurate-stack';

// Long text (issue 22) on a real worker, both tiers: the encoder weights come from the install
// step (models/encoder), the heads from models/sentiment, as in sentiment-accurate.test.ts.
describe('articles with a body: scored by sentences when it is about the title', () => {
  jest.setTimeout(180_000);
  const harness = accurateTierStack();
  const modelsDir = defaultModelsDir();
  const accurate = activeTierVersion(modelsDir, 'accurate')!;
  const fast = activeVersion(modelsDir)!;


  it('a related two-company body is scored by sentences, per ticker from the sentences naming it; a boilerplate body leaves the title alone', async () => {
    const stamp = Date.now();
    const items = [
      {
        title: 'Apple and Microsoft report quarterly results',
        url: `https://example.com/long-text/${stamp}/1`,
        summary:
          'Apple posted record quarterly profit and raised its guidance, and its shares soared to an all-time high. ' +
          'Microsoft missed estimates badly and slashed its outlook, and its shares plunged. ' +
          'Both companies reported their quarterly results after the close on Thursday.',
      },
      {
        title: 'Apple shares soar after record quarterly profit',
        url: `https://example.com/long-text/${stamp}/2`,
        summary: 'Filed: 2025-01-24 AccNo: 0001213900-25-006497 Size: 302 KB',
      },
    ];
    const res = await harness.stack.gql<{ importArticles: { insertedIds: string[] } }>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }',
      { items },
      harness.user.headers,
    );
    expect(res.errors).toBeUndefined();
    const [related, boilerplate] = res.data!.importArticles.insertedIds;
    const tickers: Array<{ article_id: string; ticker: string }> = await harness.stack.api.db.query(`SELECT article_id, ticker FROM article_tickers WHERE article_id = $1 ORDER BY ticker`, [related]);
    expect(tickers.map((t) => t.ticker)).toEqual(expect.arrayContaining(['AAPL', 'MSFT']));

    // the import starts the fast tier at once and the accurate re-score as its child
    const workflowId = `score-import-${related}`;
    expect(await harness.temporal.client.workflow.getHandle(workflowId).result()).toMatchObject({ modelVersion: fast, scored: 2 });
    expect(await harness.temporal.client.workflow.getHandle(`${workflowId}-accurate`).result()).toMatchObject({ modelVersion: accurate, scored: 2 });

    const modes: Array<{ article_id: string; tier: string; text_mode: string }> = await harness.stack.api.db.query(
      `SELECT article_id, tier, text_mode FROM sentiment_scores WHERE article_id = ANY($1) ORDER BY tier`,
      [[related, boilerplate]],
    );
    const modeOf = (id: string) => modes.filter((m) => m.article_id === id).map((m) => [m.tier, m.text_mode]);
    expect(modeOf(related)).toEqual([
      ['accurate', 'sentences'],
      ['fast', 'sentences'],
    ]);
    expect(modeOf(boilerplate)).toEqual([
      ['accurate', 'title-only'],
      ['fast', 'title-only'],
    ]);

    // Per ticker, from the sentences that name each company: Apple's good news and
    // Microsoft's bad news no longer share one score.
    const perTicker: Array<{ ticker: string; score: number; label: string; model_version: string }> = await harness.stack.api.db.query(
      `SELECT ticker, score, label, model_version FROM ticker_sentiment_scores WHERE article_id = $1 AND ticker = ANY('{AAPL,MSFT}') ORDER BY ticker`,
      [related],
    );
    expect(perTicker.map((r) => [r.ticker, r.model_version])).toEqual([
      ['AAPL', accurate],
      ['MSFT', accurate],
    ]);
    const [aapl, msft] = perTicker;
    expect(aapl.score).toBeGreaterThan(0);
    expect(msft.score).toBeLessThan(0);
    expect(aapl.label).not.toBe(msft.label);

    // the API says which text the preferred score read
    const read = await harness.stack.gql<{ a: { sentiment: { tier: string; textMode: string } }; b: { sentiment: { tier: string; textMode: string } } }>(
      'query($a: ID!, $b: ID!) { a: article(id: $a) { sentiment { tier textMode } } b: article(id: $b) { sentiment { tier textMode } } }',
      { a: related, b: boilerplate },
      harness.user.headers,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ a: { sentiment: { tier: 'accurate', textMode: 'sentences' } }, b: { sentiment: { tier: 'accurate', textMode: 'title-only' } } });
  });
});
