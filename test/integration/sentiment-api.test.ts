import { Role } from '../../entities';
import { LEXICON_NAME } from '../../domain/sentiment';
import { activeTierVersion, activeVersion, defaultModelsDir } from '../../ml';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

describe('sentiment over GraphQL', () => {
  let stack: TestStack;
  let user: TestIdentity;
  beforeAll(async () => {
    stack = await startTestStack();
    user = await createIdentity(stack.api.db, Role.USER);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const score = (text: string) =>
    stack.gql<{ scoreText: { label: string | null; score: number | null; modelVersion: string; unscoredReason: string | null; probabilities: { negative: number; neutral: number; positive: number } | null } }>(
      'query($text: String!) { scoreText(text: $text) { label score modelVersion unscoredReason probabilities { negative neutral positive } } }',
      { text },
      user.headers,
    );

  it('scoreText uses the shipped model: label, score in [-1, 1], probabilities summing to 1, model version', async () => {
    const res = await score('Shares plunge after the company slashes its profit forecast');
    expect(res.errors).toBeUndefined();
    const s = res.data!.scoreText;
    expect(s.modelVersion).toBe(activeVersion(defaultModelsDir()));
    expect(s.label).toBe('negative');
    expect(s.score!).toBeGreaterThanOrEqual(-1);
    expect(s.score!).toBeLessThan(0);
    const p = s.probabilities!;
    expect(p.negative + p.neutral + p.positive).toBeCloseTo(1, 5);
    // Same input, same output.
    expect((await score('Shares plunge after the company slashes its profit forecast')).data!.scoreText).toEqual(s);
  });

  it('empty text is unscored with a reason, not an error', async () => {
    const s = (await score('   ')).data!.scoreText;
    expect(s.label).toBeNull();
    expect(s.unscoredReason).toBeTruthy();
  });

  it('with model_sentiment off, scoreText answers from the lexicon within the flag cache time', async () => {
    await stack.api.db.query(`UPDATE feature_flags SET enabled = false WHERE key = 'model_sentiment'`);
    try {
      await new Promise((r) => setTimeout(r, 5200));
      const s = (await score('Record profit lifts the shares')).data!.scoreText;
      expect(s.modelVersion).toBe(`lexicon-${LEXICON_NAME}`);
      expect(s.label).toBe('positive');
    } finally {
      await stack.api.db.query(`UPDATE feature_flags SET enabled = true WHERE key = 'model_sentiment'`);
    }
  });

  it('models lists the shipped versions with metrics and marks the active one of each tier', async () => {
    const res = await stack.gql<{ models: Array<{ version: string; tier: string; active: boolean; metrics: Record<string, unknown> }> }>('{ models { version tier active metrics } }', undefined, user.headers);
    const active = res.data!.models.filter((m) => m.active);
    const fast = active.filter((m) => m.tier === 'fast');
    expect(fast).toHaveLength(1);
    expect(fast[0].version).toBe(activeVersion(defaultModelsDir()));
    expect(active.filter((m) => m.tier === 'accurate').map((m) => m.version)).toEqual([activeTierVersion(defaultModelsDir(), 'accurate')].filter(Boolean));
    for (const m of active) expect(JSON.stringify(m.metrics)).toMatch(/accuracy/);
  });

  it('scoreText needs a key', async () => {
    const res = await stack.gql('{ scoreText(text: "x") { label } }');
    expect(res.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});
