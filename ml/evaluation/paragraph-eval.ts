/**
 * Synthetic paragraphs for measuring long-text scoring (issue 22): there is no labelled set of
 * paragraphs or article bodies, so 3 to 5 held-out SEntFiN headlines, each with its per-entity
 * labels, are joined into one paragraph, and each entity keeps the label it has in its own
 * headline. The first headline is also the title (an article's lede restates its headline),
 * so the body is about the title and is scored by sentences. Synthetic: real bodies are longer,
 * have routine sentences, pronouns and companies named in several sentences.
 */
import { companyMentions } from '../../domain/sentiment/long-text';
import type { SentimentLabel } from '../../domain/sentiment/types';
import { seededRandom, shuffleInPlace } from '../data/datasets';
import type { EntityHeadline } from '../data/entity-data';

export interface ParagraphEntity {
  /** Unique within the paragraph. */
  key: string;
  entity: string;
  label: SentimentLabel;
}

export interface SyntheticParagraph {
  title: string;
  body: string;
  entities: ParagraphEntity[];
  /** More than one distinct label among its entities: where per-company scores can differ from the document's. */
  mixed: boolean;
}

/** A headline as one sentence: ends in . ! or ? so the sentence splitter can find its end. */
const asSentence = (text: string) => (/[.!?]["'”’)]*$/u.test(text.trim()) ? text.trim() : `${text.trim()}.`);

const names = (h: EntityHeadline) => h.entities.map((e, i) => ({ key: String(i), names: [e.entity] }));

/** Whether any entity of `a` is named in `b`'s text or the other way round (then whose label a mention carries is ambiguous). */
function overlaps(a: EntityHeadline, b: EntityHeadline): boolean {
  return companyMentions(b.text, names(a)).size > 0 || companyMentions(a.text, names(b)).size > 0;
}

/**
 * Paragraphs of `min`..`max` headlines (sizes drawn with the seed), from headlines whose every
 * entity is found in them; a headline that names an entity of another one already in the
 * paragraph (or the same text) waits for a later paragraph. Deterministic for a seed.
 */
export function syntheticParagraphs(headlines: readonly EntityHeadline[], seed = 7, min = 3, max = 5): SyntheticParagraph[] {
  const random = seededRandom(seed);
  const pool = shuffleInPlace(
    headlines.filter((h) => h.entities.length > 0 && h.entities.every((e) => e.span)),
    random,
  );
  const out: SyntheticParagraph[] = [];
  while (pool.length >= min) {
    const size = min + Math.floor(random() * (max - min + 1));
    const chosen: EntityHeadline[] = [];
    for (let i = 0; i < pool.length && chosen.length < size; ) {
      const h = pool[i];
      if (chosen.some((c) => c.text === h.text || overlaps(c, h))) i++;
      else chosen.push(...pool.splice(i, 1));
    }
    if (chosen.length < min) break;
    const entities = chosen.flatMap((h, k) => h.entities.map((e, j) => ({ key: `${k}:${j}`, entity: e.entity, label: e.label })));
    out.push({ title: chosen[0].text.trim(), body: chosen.map((h) => asSentence(h.text)).join(' '), entities, mixed: new Set(entities.map((e) => e.label)).size > 1 });
  }
  return out;
}
