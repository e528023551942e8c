/**
 * What the accurate tier reads of an article: its title, then its summary (plain text already:
 * feed normalisation strips the HTML). The title always comes first and whole, so when the text
 * is longer than the encoder's window (256 tokens) the tokenizer's cut falls on the summary.
 */
import { MAX_SCORED_CHARS } from '../../domain/sentiment/types';

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * `title. summary`, or the title alone when there is no summary, or the summary alone when it
 * merely begins with the title (feeds without titles get the summary's start as their title).
 * At most `maxChars` characters (the scorers' own limit), cut at a word boundary in the summary.
 */
export function articleText(title: string, summary: string | null | undefined, maxChars = MAX_SCORED_CHARS): string {
  const t = normalise(title);
  const s = normalise(summary ?? '');
  if (!s) return t.slice(0, maxChars);
  const stem = t.replace(/(\u2026|\.\.\.)$/u, '').trim();
  let text: string;
  if (!t || s.toLowerCase().startsWith(stem.toLowerCase())) text = s;
  else if (s.toLowerCase() === t.toLowerCase()) text = t;
  else text = `${t}${/[.!?:;]$/u.test(t) ? '' : '.'} ${s}`;
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return space > t.length ? cut.slice(0, space) : cut;
}
