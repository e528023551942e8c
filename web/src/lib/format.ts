export const pct = (v: number | null | undefined, digits = 1) => (v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`);
export const num = (v: number | null | undefined, digits = 2) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
export const dateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
export const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
export const day = (iso: string) => iso.slice(0, 10);

/** Positive / negative / neutral as a CSS class for a score in [-1, 1]. */
export const tone = (score: number | null | undefined) => (score == null ? 'neutral' : score > 0.05 ? 'pos' : score < -0.05 ? 'neg' : 'neutral');

export function labelOf(label: string | null | undefined, score: number | null | undefined): string {
  if (label) return label;
  if (score == null) return 'unscored';
  return tone(score) === 'pos' ? 'positive' : tone(score) === 'neg' ? 'negative' : 'neutral';
}
