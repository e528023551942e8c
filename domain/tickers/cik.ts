import { normaliseCik } from './company';

/**
 * Where EDGAR puts the filer's CIK: "(0000320193)" after the conformed name in titles,
 * "CIK=0000320193" / "cik=320193" in browse and viewer URLs, "/Archives/edgar/data/320193/" in
 * filing URLs. The ten-digit form in parentheses is specific enough to trust in prose.
 */
const CIK_PATTERNS = [
  /\((\d{10})\)/g,
  /[?&]cik=(\d{1,10})(?!\d)/gi,
  /\/Archives\/edgar\/data\/(\d{1,10})\//gi,
];

export function findCiks(...texts: (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const pattern of CIK_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const cik = normaliseCik(match[1]);
        if (cik) found.add(cik);
      }
    }
  }
  return [...found];
}
