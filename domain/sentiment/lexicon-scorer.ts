/**
 * The fallback scorer: AFINN-165 (via the `sentiment` package) extended with finance terms.
 * Used when the model_sentiment flag is off or the model cannot load. Much weaker than the
 * model (near 0.6 accuracy on finance headlines) but needs nothing but JavaScript.
 */
import { FINANCE_TERMS } from './finance-lexicon';
import { prepareForScoring } from './scoring-guards';
import type { SentimentScore, SentimentScorer } from './types';

interface SentimentLanguage {
  labels: Record<string, number>;
  scoringStrategy: { apply(tokens: string[], cursor: number, tokenScore: number): number };
}
interface SentimentAnalyzer {
  registerLanguage(code: string, language: SentimentLanguage): void;
  analyze(text: string, opts: { language: string }): { score: number };
}

export const LEXICON_NAME = 'afinn165-finance';
const LANGUAGE_CODE = 'tidings-finance';

let analyzer: SentimentAnalyzer | undefined;

/**
 * `sentiment` keeps its languages in a module-wide table and `analyze(..., {extras})`
 * merges extras into that shared table, leaking into every other user. We register our own
 * language built from a copy of the English labels instead and never pass extras.
 */
function financeAnalyzer(): SentimentAnalyzer {
  if (analyzer) return analyzer;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Sentiment = require('sentiment') as new () => SentimentAnalyzer;
  const englishLabels = require('sentiment/languages/en/labels.json') as Record<string, number>;
  const english = require('sentiment/languages/en/index.js') as SentimentLanguage;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const instance = new Sentiment();
  instance.registerLanguage(LANGUAGE_CODE, {
    labels: { ...englishLabels, ...FINANCE_TERMS },
    scoringStrategy: english.scoringStrategy,
  });
  analyzer = instance;
  return instance;
}

/**
 * Squashes the summed word score into [-1, 1] and splits it into pseudo-probabilities so
 * the fallback has the model's output shape; a lone mildly positive word stays neutral.
 */
export function lexiconScoreToResult(rawScore: number, modelVersion: string): SentimentScore {
  const score = Math.tanh(rawScore / 2);
  const probabilities = { negative: Math.max(-score, 0), neutral: 1 - Math.abs(score), positive: Math.max(score, 0) };
  const label = probabilities.positive > probabilities.neutral ? 'positive' : probabilities.negative > probabilities.neutral ? 'negative' : 'neutral';
  return { label, score, probabilities, modelVersion };
}

export function createLexiconScorer(): SentimentScorer {
  const modelVersion = `lexicon-${LEXICON_NAME}`;
  const sentiment = financeAnalyzer();
  return {
    modelVersion,
    backend: 'js',
    tier: 'lexicon',
    async scoreBatch(texts: string[]): Promise<SentimentScore[]> {
      return texts.map((raw) => {
        const prepared = prepareForScoring(raw);
        if ('unscoredReason' in prepared) {
          return { label: null, score: null, probabilities: null, modelVersion, unscoredReason: prepared.unscoredReason };
        }
        const result = lexiconScoreToResult(sentiment.analyze(prepared.text, { language: LANGUAGE_CODE }).score, modelVersion);
        return prepared.truncated ? { ...result, truncated: true } : result;
      });
    },
  };
}
