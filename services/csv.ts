/**
 * CSV exports (articlesCsv, signalsCsv): one writer, so every export quotes, dates and guards
 * against spreadsheet formulas the same way.
 */
import { ServiceError } from './errors';

export const MAX_CSV_ROWS = 10_000;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quote when needed; a leading =,+,-,@ is neutralised so spreadsheets never run it as a formula.
  const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV exports take 1..MAX_CSV_ROWS rows; anything else is the caller's mistake, said plainly. */
export function csvLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CSV_ROWS) throw new ServiceError('BAD_USER_INPUT', `limit must be 1 to ${MAX_CSV_ROWS}`, { field: 'limit' });
  return limit;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
