/**
 * Scoring a title with its paragraph or body (domain/sentiment/long-text.ts says why by
 * sentences): the document score aggregates the title and every sentence; each company's score
 * aggregates the sentences that name it, through the entity head when the scorer has one (the
 * sentiment toward that company inside the sentence), else the sentences' own scores.
 */
import { aggregateScores, bodyIsAboutTitle, companyMentions, splitSentences, type AggregatedSentiment } from '../../domain/sentiment/long-text';
import type { SentimentScore, SentimentScorer } from '../../domain/sentiment/types';
import type { AccurateScorer } from './accurate/encoder-scorer';

/**
 * A company to score separately: a key (e.g. the ticker) and either the names that mention it
 * (whole words, any case) or a `locate` that finds its mention in a text (the ticker universe's
 * cashtag/exchange/name matching, which a plain list of names cannot express).
 */
export interface CompanyToScore {
  key: string;
  names?: readonly string[];
  locate?: (text: string) => [number, number] | undefined;
}

export interface LongTextInput {
  title: string;
  body?: string | null;
  companies?: readonly CompanyToScore[];
}

export type LongTextMode = 'title-only' | 'sentences';

export interface LongTextSentiment {
  /** 'title-only' when there is no body or it is not about the title (boilerplate). */
  mode: LongTextMode;
  document: AggregatedSentiment | null;
  /** Per company named in the text; companies never named are absent. */
  companies: Map<string, AggregatedSentiment>;
  /** The title's own score (the first segment), with its explanation when the scorer gives one. */
  title: SentimentScore;
}

const hasEntityHead = (s: SentimentScorer): s is AccurateScorer => s.tier === 'accurate' && (s as AccurateScorer).hasEntityHead;

/** The mode a title and body get: sentences only when the body is about the title. */
export function longTextMode(title: string, body: string | null | undefined): LongTextMode {
  const trimmed = body?.trim() ?? '';
  return trimmed && bodyIsAboutTitle(title, trimmed) ? 'sentences' : 'title-only';
}

/** The first mention of each company in `text`, by its locator or else its names. */
function mentionsIn(text: string, companies: readonly CompanyToScore[]): Array<[string, [number, number]]> {
  const out: Array<[string, [number, number]]> = [];
  const byName = companies.filter((c) => !c.locate && c.names);
  for (const [key, spans] of companyMentions(text, byName.map((c) => ({ key: c.key, names: c.names! })))) out.push([key, spans[0]]);
  for (const c of companies) {
    const span = c.locate?.(text);
    if (span) out.push([c.key, span]);
  }
  return out;
}

/** The texts a title and body are scored as: the title, then (sentences mode) each sentence or window of the body. */
export function longTextSegments(input: LongTextInput, mode = longTextMode(input.title, input.body)): string[] {
  return [input.title, ...(mode === 'sentences' ? splitSentences(input.body!.trim()).map((s) => s.text) : [])];
}

export async function scoreLongText(scorer: SentimentScorer, input: LongTextInput): Promise<LongTextSentiment> {
  const mode = longTextMode(input.title, input.body);
  const segments = longTextSegments(input, mode);
  return aggregateLongText(scorer, input, mode, segments, await scorer.scoreBatch(segments));
}

/**
 * The document and per-company sentiment from the segments' scores (`scores[i]` for
 * `segments[i]`, as longTextSegments gives them), so a caller can score many articles' segments
 * in one batch.
 */
export async function aggregateLongText(scorer: SentimentScorer, input: LongTextInput, mode: LongTextMode, segments: readonly string[], scores: readonly SentimentScore[]): Promise<LongTextSentiment> {
  const companies = new Map<string, AggregatedSentiment>();
  const queries: Array<{ key: string; text: string; span: [number, number]; segment: number }> = [];
  segments.forEach((text, segment) => {
    for (const [key, span] of mentionsIn(text, input.companies ?? [])) queries.push({ key, text, span, segment });
  });
  let perMention: Array<SentimentScore | null>;
  if (hasEntityHead(scorer) && queries.length > 0) perMention = await scorer.scoreEntities(queries.map((q) => ({ text: q.text, span: q.span })));
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
  return { mode, document: aggregateScores(scores), companies, title: scores[0] };
}
