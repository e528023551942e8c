/**
 * What the scoring activities score for a batch of stored articles: the title alone, as the
 * models were trained, unless the article keeps a body (its feed summary or content) that is
 * about its title; then the title and the body's sentences (long-text.ts). Title-only articles
 * are scored in one batch, exactly as before long text, so headline throughput is unchanged.
 */
import type { SentimentScore, SentimentScorer } from '../../domain/sentiment/types';
import { aggregateLongText, longTextMode, longTextSegments, type CompanyToScore, type LongTextMode } from './long-text';
import type { AggregatedSentiment } from '../../domain/sentiment/long-text';

export interface ArticleText {
  title: string;
  body?: string | null;
  /** Companies to score separately when the body is scored by sentences. */
  companies?: readonly CompanyToScore[];
}

export type ScoredCompany = SentimentScore & { label: NonNullable<SentimentScore['label']>; probabilities: NonNullable<SentimentScore['probabilities']> };

export interface ScoredArticleText {
  mode: LongTextMode;
  score: SentimentScore;
  /** Per company named in the title or body (sentences mode only); absent companies keep `score`. */
  companies: Map<string, ScoredCompany>;
}

function asScore(a: AggregatedSentiment, modelVersion: string): ScoredCompany {
  return { label: a.label, score: a.score, probabilities: a.probabilities, modelVersion };
}

/**
 * Scores each article (same order). `titleScores`, when given, are the scores of the titles
 * already made by the caller (the accurate tier's pass that also yields emotions), so title-only
 * articles are not scored twice.
 */
export async function scoreArticleTexts(scorer: SentimentScorer, articles: readonly ArticleText[], titleScores?: readonly SentimentScore[]): Promise<ScoredArticleText[]> {
  const modes = articles.map((a) => longTextMode(a.title, a.body));
  const out: ScoredArticleText[] = new Array(articles.length);
  const titleOnly = articles.flatMap((_, i) => (modes[i] === 'title-only' ? [i] : []));
  const scored = titleScores ? titleOnly.map((i) => titleScores[i]) : await scorer.scoreBatch(titleOnly.map((i) => articles[i].title));
  titleOnly.forEach((i, k) => (out[i] = { mode: 'title-only', score: scored[k], companies: new Map() }));
  // Every sentence of every such article in one batch (one encoder call, not one per article).
  const bySentences = articles.flatMap((a, i) => (modes[i] === 'sentences' ? [{ i, segments: longTextSegments(a, 'sentences') }] : []));
  const segmentScores = bySentences.length ? await scorer.scoreBatch(bySentences.flatMap((a) => a.segments)) : [];
  let at = 0;
  for (const { i, segments } of bySentences) {
    const scores = segmentScores.slice(at, (at += segments.length));
    const long = await aggregateLongText(scorer, articles[i], 'sentences', segments, scores);
    const companies = new Map([...long.companies].map(([key, a]) => [key, asScore(a, scorer.modelVersion)]));
    if (!long.document) {
      out[i] = { mode: 'sentences', score: long.title, companies }; // nothing scorable: the title's unscored reason
      continue;
    }
    // The title's explanation is kept only when the title points the same way as the whole
    // text: its phrases then still explain the stored label; otherwise they would contradict it.
    const explanation = long.title.label === long.document.label ? long.title.explanation : undefined;
    out[i] = { mode: 'sentences', score: { ...asScore(long.document, scorer.modelVersion), ...(explanation ? { explanation } : {}) }, companies };
  }
  return out;
}
