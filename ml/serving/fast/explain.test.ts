import { seededRandom } from '../../data/datasets';
import { explainFast, explainFastFull, tokensWithOrigins } from './explain';
import { CLASS_COUNT, type HashedLinearModel } from './hashed-linear-model';
import { fitIdf, vectorise, type FeatureConfig } from './text-features';

const features: FeatureConfig = { buckets: 1 << 12, wordNgrams: 2, charNgramMin: 2, charNgramMax: 4, negationScope: true };

function randomModel(seed: number): HashedLinearModel {
  const random = seededRandom(seed);
  const kernel = Float32Array.from({ length: features.buckets * CLASS_COUNT }, () => random() * 2 - 1);
  const bias = Float32Array.from([0.3, -0.1, 0.2]);
  const idf = fitIdf(['revenue rises 18%', 'profit falls', 'shares jump after earnings', 'not higher'], features);
  return { features, idf, kernel, bias };
}

/** The margin of class `label` computed the way the model scores: from the sparse vector. */
function margin(model: HashedLinearModel, text: string, label: number): number {
  const v = vectorise(text, model.features, model.idf);
  const logits = Array.from(model.bias);
  v.indices.forEach((b, i) => {
    for (let k = 0; k < CLASS_COUNT; k++) logits[k] += v.values[i] * model.kernel[b * CLASS_COUNT + k];
  });
  const others = logits.filter((_, k) => k !== label).reduce((a, b) => a + b, 0);
  return logits[label] - others / (CLASS_COUNT - 1);
}

describe('explainFastFull', () => {
  it('splits the label margin exactly across the phrases (plus the bias term)', () => {
    const model = randomModel(3);
    for (const text of ['Acme revenue rises 18% to $2.1bn', 'Profit did not rise; shares fall fall', '$AAPL up 3% https://x.co/a']) {
      for (let label = 0; label < CLASS_COUNT; label++) {
        const { phrases, bias } = explainFastFull(text, model, label);
        const total = phrases.reduce((sum, p) => sum + p.weight, bias);
        expect(total).toBeCloseTo(margin(model, text, label), 4);
      }
    }
  });

  it('divides by the temperature', () => {
    const model = randomModel(4);
    const one = explainFastFull('revenue rises', model, 2, 1);
    const two = explainFastFull('revenue rises', model, 2, 2);
    one.phrases.forEach((p, i) => expect(two.phrases[i].weight).toBeCloseTo(p.weight / 2, 6));
  });

  it('names phrases by the original words, and bigrams by both', () => {
    const model = randomModel(5);
    const texts = explainFastFull('Acme revenue rises 18%', model, 2).phrases.map((p) => p.text);
    expect(texts).toEqual(expect.arrayContaining(['Acme', 'revenue', 'rises', '18%', 'revenue rises', 'rises 18%']));
  });
});

describe('explainFast', () => {
  it('keeps the strongest pushes toward the label, strongest first', () => {
    const model = randomModel(6);
    const top = explainFast('Globex net profit doubles on strong chip demand', model, 2, 1, 3);
    expect(top.length).toBeLessThanOrEqual(3);
    expect(top.every((p) => p.weight > 0)).toBe(true);
    for (let i = 1; i < top.length; i++) expect(top[i - 1].weight).toBeGreaterThanOrEqual(top[i].weight);
  });
});

describe('tokensWithOrigins', () => {
  it('maps normalised tokens to their original words', () => {
    const { tokens, words, wordOf } = tokensWithOrigins('$AAPL jumps 3.5%, beats.');
    expect(tokens).toEqual(['xtickerx', 'jumps', '0', '%', 'beats']);
    expect(wordOf.map((w) => words[w])).toEqual(['$AAPL', 'jumps', '3.5%', '3.5%', 'beats']);
  });
});
