import { listModelVersions, loadModelScorer } from '../index';
import { readModel } from './model-store';
import { defaultModelsDir } from './model-store';
import { tfRuntime } from '../runtime/tf-runtime';

// Loads the model shipped in models/sentiment and scores on the backend tfRuntime picks (native
// tfjs-node when the install step could build it, else wasm); a few seconds, no training.
describe('shipped sentiment model', () => {
  jest.setTimeout(30000);

  test('an active version is listed with its evaluation metrics', () => {
    const versions = listModelVersions();
    const active = versions.filter((v) => v.active && v.tier === 'fast');
    expect(active).toHaveLength(1);
    expect(active[0].metrics).toHaveProperty(['twitter-valid', 'accuracy']);
  });

  test('the artifact stays a few MB and its weights decode to the manifest shapes', () => {
    const active = listModelVersions().find((v) => v.active && v.tier === 'fast')!;
    const model = readModel(defaultModelsDir(), active.version);
    expect(model.kernel.length).toBe(model.features.buckets * 3);
    expect(model.idf.length).toBe(model.features.buckets);
    expect(model.kernel.byteLength + model.idf.byteLength).toBeLessThan(8 * 1024 * 1024);
  });

  test('scores obvious headlines sensibly and deterministically on a fast backend', async () => {
    const scorer = await loadModelScorer();
    expect(scorer.backend).toBe((await tfRuntime()).backend);
    const headlines = [
      'Apple shares surge after earnings beat and raised guidance',
      'Boeing stock plunges after downgrade and weak outlook',
      'Company to hold annual shareholder meeting on Tuesday',
    ];
    const first = await scorer.scoreBatch(headlines);
    const again = await scorer.scoreBatch([...headlines].reverse());
    expect(first.map((s) => s.label)).toEqual(['positive', 'negative', 'neutral']);
    expect(again.reverse()).toEqual(first);
    for (const s of first) {
      expect(s.modelVersion).toBe(scorer.modelVersion);
      const p = s.probabilities!;
      expect(p.negative + p.neutral + p.positive).toBeCloseTo(1, 5);
      expect(s.score).toBeCloseTo(p.positive - p.negative, 6);
    }
    expect(first[0].score!).toBeGreaterThan(0.3);
    expect(first[1].score!).toBeLessThan(-0.3);
    scorer.dispose?.();
  });

  test('empty, non-Latin and over-long texts are handled explicitly', async () => {
    const scorer = await loadModelScorer();
    const [empty, chinese, long] = await scorer.scoreBatch(['', '股票市场今天大幅上涨', 'Shares rally. '.repeat(500)]);
    expect(empty).toMatchObject({ label: null, score: null, unscoredReason: 'empty_text' });
    expect(chinese).toMatchObject({ label: null, unscoredReason: 'unsupported_language' });
    expect(long.truncated).toBe(true);
    expect(long.label).not.toBeNull();
    scorer.dispose?.();
  });

  test('a missing version fails loudly so the caller can fall back to the lexicon', async () => {
    await expect(loadModelScorer({ version: 'no-such-version' })).rejects.toThrow(/cannot read sentiment model no-such-version/);
  });
});
