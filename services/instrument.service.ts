/**
 * The admin-managed ticker universe: instruments beyond the listed universe and the built-in
 * crypto/ETF defaults. Ticker extraction picks changes up on its next use (see
 * currentTickerExtractor), and every change starts the re-tag workflow, which brings the tickers
 * of articles stored before up to date (a newer change replaces a re-tag still running).
 */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { retagArticlesWorkflow } from '../workflows/retag.workflow';
import { workflowQueue } from '../domain/task-queues';
import { ServiceError } from './errors';
import { deleteInstrument, upsertInstrument } from '../store/instrument-store';
import { sharedTickerExtractor } from '../store/ticker-extraction-store';
import { defaultInstruments, loadSp500Companies, normaliseTicker, type Company } from '../domain/tickers';
import { AssetClass, Instrument } from '../entities';

export interface InstrumentInput {
  symbol: string;
  name: string;
  aliases?: string[] | null;
  exchange?: string | null;
  assetClass?: AssetClass | null;
  sector?: string | null;
  cik?: string | null;
}

/** What the universe holds for a symbol, wherever it comes from. */
export interface UniverseEntry {
  symbol: string;
  name: string;
  aliases: string[];
  exchange: string | null;
  assetClass: AssetClass;
  sector: string | null;
  source: 'sp500' | 'listed' | 'default' | 'admin';
}

const SYMBOL = /^[A-Z][A-Z0-9]{0,9}(?:\.[A-Z]{1,2})?$/;
const MAX_ALIASES = 20;

export class InstrumentService {
  private sp500?: Map<string, { name: string; sector: string | null }>;
  private listed?: Map<string, Company>;

  constructor(
    private readonly db: DataSource,
    /** Where to start the re-tag workflow; without it (tools, tests of validation) nothing is re-tagged. */
    private readonly retag?: { temporal: Client; taskQueue: string },
  ) {}

  /** The one re-tag run per deployment (task queue): a newer universe change terminates a running one and starts over. */
  static retagWorkflowId(taskQueue: string): string {
    return `retag-articles-${taskQueue}`;
  }

  private async startRetag(reason: string): Promise<void> {
    if (!this.retag) return;
    await this.retag.temporal.workflow.start(retagArticlesWorkflow, {
      taskQueue: workflowQueue(this.retag.taskQueue, retagArticlesWorkflow),
      workflowId: InstrumentService.retagWorkflowId(this.retag.taskQueue),
      workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      args: [{ reason }],
    });
  }

  /** Validates and normalises; every problem is a BAD_USER_INPUT naming its field. */
  static validate(input: InstrumentInput): Omit<Instrument, 'createdAt' | 'updatedAt'> {
    const symbol = normaliseTicker(input.symbol ?? '');
    if (!SYMBOL.test(symbol)) throw new ServiceError('BAD_USER_INPUT', `symbol '${input.symbol}' is not a symbol (letters and digits, up to 10, optional class suffix like .B)`, { field: 'symbol' });
    const name = (input.name ?? '').trim();
    if (name.length < 2 || name.length > 200) throw new ServiceError('BAD_USER_INPUT', 'name must be 2 to 200 characters', { field: 'name' });
    const aliases = [...new Set((input.aliases ?? []).map((a) => a.trim()).filter(Boolean))];
    if (aliases.length > MAX_ALIASES) throw new ServiceError('BAD_USER_INPUT', `at most ${MAX_ALIASES} aliases`, { field: 'aliases' });
    const badAlias = aliases.find((a) => a.length < 2 || a.length > 100);
    if (badAlias !== undefined) throw new ServiceError('BAD_USER_INPUT', `alias '${badAlias}' must be 2 to 100 characters`, { field: 'aliases' });
    const cik = input.cik?.trim() || null;
    if (cik !== null && !/^\d{1,10}$/.test(cik)) throw new ServiceError('BAD_USER_INPUT', 'cik must be up to 10 digits', { field: 'cik' });
    const assetClass = input.assetClass ?? AssetClass.EQUITY;
    if (!Object.values(AssetClass).includes(assetClass)) throw new ServiceError('BAD_USER_INPUT', `assetClass must be one of ${Object.values(AssetClass).join(', ')}`, { field: 'assetClass' });
    return {
      symbol,
      name,
      aliases,
      exchange: input.exchange?.trim().toUpperCase() || null,
      assetClass,
      sector: input.sector?.trim() || null,
      cik: cik ? cik.replace(/^0+/, '') || null : null,
    };
  }

  /** Adds or replaces the admin instrument with this symbol (an upsert, so a retry is harmless). */
  async upsert(input: InstrumentInput): Promise<Instrument> {
    const v = InstrumentService.validate(input);
    const symbol = await upsertInstrument(this.db, v);
    await this.startRetag(`instrument ${symbol} added or changed`);
    return this.db.getRepository(Instrument).findOneByOrFail({ symbol });
  }

  async remove(symbol: string): Promise<boolean> {
    if (!(await deleteInstrument(this.db, normaliseTicker(symbol)))) throw new ServiceError('NOT_FOUND', `no admin instrument '${normaliseTicker(symbol)}'`);
    await this.startRetag(`instrument ${normaliseTicker(symbol)} removed`);
    return true;
  }

  list(): Promise<Instrument[]> {
    return this.db.getRepository(Instrument).find({ order: { symbol: 'ASC' } });
  }

  /** One symbol as the extractor sees it: an admin row, else a built-in default, else the S&P 500 list, else the listed universe. */
  async lookup(symbol: string): Promise<UniverseEntry | null> {
    const s = normaliseTicker(symbol);
    const admin = await this.db.getRepository(Instrument).findOneBy({ symbol: s });
    if (admin) return { ...admin, source: 'admin' };
    const builtIn = defaultInstruments().find((c) => c.ticker === s);
    if (builtIn) return { symbol: s, name: builtIn.name, aliases: builtIn.aliases ?? [], exchange: null, assetClass: builtIn.assetClass as AssetClass, sector: null, source: 'default' };
    this.sp500 ??= new Map(loadSp500Companies().map((c) => [c.ticker, { name: c.name, sector: c.sector ?? null }]));
    const sp = this.sp500.get(s);
    if (sp) return { symbol: s, name: sp.name, aliases: [], exchange: null, assetClass: AssetClass.EQUITY, sector: sp.sector, source: 'sp500' };
    this.listed ??= new Map(sharedTickerExtractor().companies.map((c) => [c.ticker, c]));
    const listed = this.listed.get(s);
    if (listed) return { symbol: s, name: listed.name, aliases: [], exchange: listed.exchange ?? null, assetClass: listed.assetClass === 'etf' ? AssetClass.ETF : AssetClass.EQUITY, sector: listed.sector ?? null, source: 'listed' };
    return null;
  }
}
