/**
 * LISTING HISTORY: renamed, merged, acquired and taken-private issuers, so an article is tagged
 * with the symbol of its own day ("point in time"): a 2019 article about Mylan is MYL, one about
 * Twitter is TWTR, one about Facebook is FB; the same names after the change are the successor
 * (Viatris VTRS, nothing for Twitter, META).
 *
 * COVERAGE IS LIMITED TO THIS TABLE. There is no full data source for symbol changes, delistings
 * and mergers in ../shared (us_listed.csv is a snapshot of today's listings), so this is a small,
 * hand-checked list of well-known changes, not a history of the market. A name or symbol that is
 * not here is read as of today. Add a row when a change matters to your backtests.
 */

export interface ListingChange {
  /** Names articles used for the issuer before the change, as written (capitalised). */
  names: string[];
  /** The symbol it traded under before the change. */
  formerSymbol: string;
  /** The listed symbol that carries on after the change, or null when none (taken private, bought by a foreign or private buyer). */
  successor: string | null;
  /** First day (UTC, YYYY-MM-DD) the old identity no longer applies. */
  effective: string;
  what: 'renamed' | 'merged' | 'acquired' | 'taken private';
}

export const LISTING_CHANGES: readonly ListingChange[] = [
  { names: ['Facebook'], formerSymbol: 'FB', successor: 'META', effective: '2022-06-09', what: 'renamed' },
  { names: ['Twitter'], formerSymbol: 'TWTR', successor: null, effective: '2022-10-28', what: 'taken private' },
  { names: ['Mylan'], formerSymbol: 'MYL', successor: 'VTRS', effective: '2020-11-16', what: 'merged' },
  { names: ['Celgene'], formerSymbol: 'CELG', successor: 'BMY', effective: '2019-11-21', what: 'acquired' },
  { names: ['Allergan'], formerSymbol: 'AGN', successor: 'ABBV', effective: '2020-05-08', what: 'acquired' },
  { names: ['Xilinx'], formerSymbol: 'XLNX', successor: 'AMD', effective: '2022-02-14', what: 'acquired' },
  { names: ['Activision Blizzard', 'Activision'], formerSymbol: 'ATVI', successor: 'MSFT', effective: '2023-10-13', what: 'acquired' },
  { names: ['Anthem'], formerSymbol: 'ANTM', successor: 'ELV', effective: '2022-06-28', what: 'renamed' },
  { names: ['United Technologies'], formerSymbol: 'UTX', successor: 'RTX', effective: '2020-04-03', what: 'merged' },
  { names: ['BB&T'], formerSymbol: 'BBT', successor: 'TFC', effective: '2019-12-09', what: 'merged' },
  { names: ['SunTrust'], formerSymbol: 'STI', successor: 'TFC', effective: '2019-12-09', what: 'merged' },
  { names: ['Time Warner'], formerSymbol: 'TWX', successor: 'T', effective: '2018-06-15', what: 'acquired' },
  { names: ['Whole Foods'], formerSymbol: 'WFM', successor: 'AMZN', effective: '2017-08-28', what: 'acquired' },
  { names: ['Red Hat'], formerSymbol: 'RHT', successor: 'IBM', effective: '2019-07-09', what: 'acquired' },
  { names: ['LinkedIn'], formerSymbol: 'LNKD', successor: 'MSFT', effective: '2016-12-08', what: 'acquired' },
  { names: ['Monsanto'], formerSymbol: 'MON', successor: null, effective: '2018-06-07', what: 'acquired' },
  { names: ['Tiffany'], formerSymbol: 'TIF', successor: null, effective: '2021-01-07', what: 'acquired' },
  { names: ['VMware'], formerSymbol: 'VMW', successor: 'AVGO', effective: '2023-11-22', what: 'acquired' },
  { names: ['Pioneer Natural Resources'], formerSymbol: 'PXD', successor: 'XOM', effective: '2024-05-03', what: 'acquired' },
  { names: ['Splunk'], formerSymbol: 'SPLK', successor: 'CSCO', effective: '2024-03-18', what: 'acquired' },
  // Square became Block in 2021 and changed its symbol to XYZ in 2025; "Square" is a word, so only the symbol is here.
  { names: [], formerSymbol: 'SQ', successor: 'XYZ', effective: '2025-01-21', what: 'renamed' },
];

/** The symbol a change stands for on a date: the former one before it took effect, the successor (or none) from then on. */
export function symbolOnDate(change: ListingChange, at: Date): string | null {
  return at.getTime() < Date.parse(`${change.effective}T00:00:00Z`) ? change.formerSymbol : change.successor;
}
