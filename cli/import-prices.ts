/**
 * `npm run cli -- import-prices <ticker> <file> [--interval 1d]`: imports one price file and
 * prints what happened, including every rejected row with its line number so the file can be
 * fixed and re-imported (re-importing is safe: unchanged bars are not rewritten).
 */
import fs from 'node:fs';
import { createDataSource } from '../db/data-source';
import { importPrices } from '../services/price-import.service';
import type { PriceImportReport } from '../store/price-bar-store';

const USAGE = 'usage: import-prices <ticker> <file> [--interval 1d|1h|...]';

export function formatPriceImportReport(file: string, r: PriceImportReport): string[] {
  const range = r.from && r.to ? `${r.from.toISOString()} .. ${r.to.toISOString()}` : 'no usable bars';
  const lines = [
    `${r.ticker} ${r.interval} from ${file}`,
    `  format:    ${r.format}`,
    `  bars:      ${r.bars} (${range})`,
    `  inserted:  ${r.inserted}`,
    `  updated:   ${r.updated}`,
    `  unchanged: ${r.unchanged}`,
    `  rejected:  ${r.rejectedCount}${r.rejectedCount > r.rejected.length ? ` (the first ${r.rejected.length} listed)` : ''}`,
  ];
  for (const row of r.rejected) lines.push(`    line ${row.line}: ${row.reason}`);
  return lines;
}

export async function importPricesCommand(
  args: string[],
  opts: { databaseUrl: string; out?: (line: string) => void },
): Promise<PriceImportReport> {
  const out = opts.out ?? ((line: string) => console.log(line));
  const positional: string[] = [];
  let interval: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--interval') interval = args[++i];
    else if (arg.startsWith('--interval=')) interval = arg.slice('--interval='.length);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}; ${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new Error(USAGE);
  const [ticker, file] = positional;
  let csv: string;
  try {
    csv = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const db = createDataSource(opts.databaseUrl, { poolSize: 2, applicationName: 'tidings-cli' });
  await db.initialize();
  try {
    const report = await importPrices(db, { ticker, csv, interval, maxRejected: Number.POSITIVE_INFINITY });
    for (const line of formatPriceImportReport(file, report)) out(line);
    return report;
  } finally {
    await db.destroy();
  }
}
