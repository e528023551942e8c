/**
 * Scoring a title with its paragraph or body (domain/sentiment/long-text.ts says why by
 * sentences): the document score aggregates the title and every sentence; each company's score
 * aggregates the sentences that name it, through the entity head when the scorer has one (the
 * sentiment toward that company inside the sentence), else the sentences' own scores.
 */
import { aggregateScores, bodyIsAboutTitle, companyMentions, splitSentences, type AggregatedSentiment } from '../../domain/sentiment/long-text';
import type { SentimentScore, SentimentScorer } from '../../domain/sentiment/types';
import type { AccurateScorer } from './accurate/encoder-scorer';

export interface LongTextInput {
  title: string;
  body?: string | null;
  /** Companies to score separately: a key (e.g. the ticker) and the names that mention it. */
  companies?: ReadonlyArray<{ key: string; names: readonly string[] }>;
}

export interface LongTextSentiment {
  /** 'title-only' when there is no body or it is not about the title (boilerplate). */
  mode: 'title-only' | 'sentences';
  document: AggregatedSentiment | null;
  /** Per company named in the text; companies never named are absent. */
  companies: Map<string, AggregatedSentiment>;
}

const hasEntityHead = (s: SentimentScorer): s is AccurateScorer => s.tier === 'accurate' && (s as AccurateScorer).hasEntityHead;

export async function scoreLongText(scorer: SentimentScorer, input: LongTextInput): Promise<LongTextSentiment> {
  const body = input.body?.trim() ?? '';
  const mode = body && bodyIsAboutTitle(input.title, body) ? 'sentences' : 'title-only';
  const segments = [input.title, ...(mode === 'sentences' ? splitSentences(body).map((s) => s.text) : [])];
  const scores = await scorer.scoreBatch(segments);
  const companies = new Map<string, AggregatedSentiment>();
  const queries: Array<{ key: string; text: string; span: [number, number]; segment: number }> = [];
  segments.forEach((text, segment) => {
    for (const [key, spans] of companyMentions(text, input.companies ?? [])) queries.push({ key, text, span: spans[0], segment });
  });
  let perMention: Array<SentimentScore | null>;
  if (hasEntityHead(scorer)) perMention = await scorer.scoreEntities(queries.map((q) => ({ text: q.text, span: q.span })));
  else perMention = queries.map((q) => scores[q.segment]);
  const byCompany = new Map<string, SentimentScore[]>();
  queries.forEach((q, i) => {
    const s = perMention[i];
    if (s) byCompany.set(q.key, [...(byCompany.get(q.key) ?? []), s]);
  });
  for (const [key, list] of byCompany) {
    const aggregated = aggregateScores(list);
    if (aggregated) companies.set(key, aggregated);
  }
  return { mode, document: aggregateScores(scores), companies };
}
