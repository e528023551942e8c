import type { Company } from './company';
import { isOrdinaryWord, type GuardLevel, type GuardSubject } from './context';
import { newsName } from './listed';

/**
 * How company names are found in text. Derived systematically from listing names; a short
 * curated map covers brands that differ from the listing (Google, Facebook, J&J).
 */

/** Both sides of a match go through this, so "Estée", "O’Reilly" and "Brown–Forman" match plain spellings. */
export function normaliseForMatching(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\u2018\u2019\u02BC\u2032]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\u00A0/g, ' ');
}

const LEGAL_SUFFIX = /(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.|plc|PLC|Ltd\.?|Limited|N\.V\.|S\.A\.|LLC|L\.P\.)|\s+&\s+(?:Co\.?|Company))+$/;

/** One trailing word dropped to make an alias: "Marriott International" -> "Marriott". Never "Financial": "Cincinnati Financial" is not "Cincinnati". */
const GENERIC_TAIL = /\s+(?:Group|Holdings|Holding|Technologies|Technology|International|Worldwide|Global|Systems|Solutions|Enterprises|Industries|Networks|Platforms|Companies|Semiconductors?|Laboratories|Motors?)$/;

/** "Raymond James Financial", "Boston Beer Company": dropped only when two capitalised words remain. */
const TWO_WORD_TAIL = /^([\p{Lu}][\p{L}'.&-]+\s+[\p{Lu}][\p{L}'.&-]+)\s+(?:Financial|Bancorp|Bancshares|Brands|Entertainment|Resources|Software|Therapeutics|Pharmaceuticals|Health|Energy|Realty|Properties|Partners)$/u;

/**
 * SHORT NAMES. People write "Chipotle" for Chipotle Mexican Grill, "Tyson" for Tyson Foods and
 * "Ford" for Ford Motor Company: the first word of a multi-word name is matched on its own when it
 * is distinctive. It is not when it is an ordinary English word, a place, a given name or a common
 * surname ("General", "American", "Royal", "Texas", "Charles", "Morgan", "Wells"), when it is
 * shorter than four letters, or when two issuers start with it (the collision rule below drops it).
 * Unknown words are assumed to be coined brand names, so the list errs on the side of blocking.
 */
export const NOT_A_SHORT_NAME = new Set([
  ...(
    'A Abbott Advanced Air Alexandria All Alliance Allied American Analog Applied Arch Archer Ares Arthur Atlantic Automatic Avery ' +
    'Baker Ball Bank Bath Best Big Black Block Blue Booking Boston Bristol Brown Builders Cadence Camden Capital Cardinal Carnival ' +
    'Carrier Central Charles Charter Church Cincinnati Citizens City Coherent Comfort Commerce Community Consolidated Constellation ' +
    'Continental Cooper Corning Crown Delta Devon Diamond Digital Dollar Dominion Dover Dow Duke Eagle East Eastern Edison Edwards ' +
    'Emerson Energy Enterprise Equity Erie Essex Estee Everest Expand Extra Fair Federal Ferguson Fidelity Fifth First Flex Focus ' +
    'Fox Franklin Freedom Gen General Genuine Global Globe Gold Golden Grand Great Green Hartford Henry Hewlett Home Host Hudson ' +
    'Illinois Independence Interactive Intercontinental International Intuitive Invitation Iron Jack Jacobs James John Johnson ' +
    'Kinder Lam Las Liberty Live Lincoln Main Marathon Marsh Martin Match Medical Mid-America Midwest Monolithic Monster Morgan ' +
    'Motorola Mountain National New News Norfolk North Northern Norwegian Ocean Old Pacific Packaging Palo Paramount Parker Penn ' +
    'People Peoples Philip Phillips Pinnacle Pioneer Premier Principal Progressive Prudential Public Quest Ralph Raymond Realty ' +
    'Regency Regions Republic Rockwell Ross Royal Santa Service Simon Smith South Southern Southwest Standard Stanley Star State ' +
    'Steel Sun Summit Texas Thermo Trade Tractor Travelers Trust Tyler Union United Universal US U.S. Valley Vertex Vulcan Walt ' +
    'Warner Washington Waste Waters Wells West Western Williams Willis World Zebra Zimmer'
  ).split(/\s+/),
  // Places and demonyms (the listed universe has "China Yuchai", "Taiwan Semiconductor", "Phoenix Motor"): "China sales" is not a company.
  ...(
    'Afghanistan Africa African America Americas Argentina Asia Asian Australia Australian Austria Bahamas Bermuda Brazil Brazilian British Canada Canadian Cayman Chile China Chinese Colombia Denmark Dutch Egypt Europe European France French Germany German Greece Greek Hong India Indian Indonesia Ireland Irish Israel Italy Italian Japan Japanese Jersey Korea Korean Latin Luxembourg Malaysia Mexico Mexican Netherlands Nigeria Norway Pakistan Panama Peru Philippines Poland Portugal Puerto Russia Saudi Scotland Singapore Spain Swiss Sweden Switzerland Taiwan Thailand Turkey Ukraine Vietnam Alabama Alaska Arizona Arkansas California Carolina Colorado Connecticut Delaware Florida Georgia Hawaii Hawaiian Idaho Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Utah Vermont Virginia Wisconsin Wyoming Chicago Dallas Houston Atlanta Miami Denver Seattle Phoenix Detroit Philadelphia Brooklyn Manhattan London Paris Tokyo Shanghai Beijing Toronto Vancouver Sydney Dubai Nordic Baltic Caribbean Andean Gulf Arctic Orient Oriental Emerging'
  ).split(/\s+/),
]);

/**
 * Names that are ordinary words, places, surnames or index names: matching them bare would tag
 * every "target price" or "Dow futures". They are matched only in their full listing form
 * ("Target Corporation", "Block, Inc."), which is unambiguous.
 */
const AMBIGUOUS = new Set([
  'Target', 'Block', 'Ball', 'Progressive', 'Southern', 'Mosaic', 'Coherent', 'Travelers', 'Carrier', 'Booking',
  'Everest', 'Zebra', 'Align', 'Microchip', 'Jacobs', 'Williams', 'Edison', 'Palo Alto', 'Charles River', 'Principal',
  'Regions', 'Citizens', 'Cincinnati', 'S&P', 'Dow', 'Fox', 'Gen', 'Waters', 'Dover', 'Cooper', 'Equity', 'Public',
  'Amcor', 'AES', 'APA', 'PTC', 'HP', 'GE', 'Sandisk', 'Insulet', 'Expand Energy', 'Ventas', 'Corning', 'Masco', 'Ross',
  'Textron', 'Hartford', 'Globe Life', 'Lumentum', 'Vertiv', 'Ciena', 'Old Dominion', 'Invitation Homes', 'Apollo',
  'Nasdaq', 'News', 'Flex', 'Tyler', 'Otis', 'Ferguson', 'Baxter', 'Lennox', 'Carnival', 'Rollins', 'Tapestry',
]);
// Some of the above are not ambiguous in finance prose but collide with people or places often enough in news to be
// worth the lost recall; cashtags and exchange tags still catch them.

const CURATED_ALIASES: Record<string, string[]> = {
  GOOGL: ['Google', 'Alphabet'],
  META: ['Meta', 'Facebook'],
  AMZN: ['Amazon.com', 'AWS', 'Amazon Web Services'],
  'BRK.B': ['Berkshire'],
  JPM: ['JPMorgan', 'J.P. Morgan', 'JP Morgan'],
  XOM: ['Exxon', 'Exxon Mobil'],
  LLY: ['Eli Lilly', 'Lilly'],
  PG: ['P&G', 'Procter and Gamble'],
  JNJ: ['J&J'],
  GS: ['Goldman'],
  BAC: ['BofA', 'Merrill Lynch', 'Merrill'],
  RTX: ['Raytheon', 'Raytheon Technologies', 'United Technologies', 'Pratt & Whitney'],
  TFC: ['BB&T', 'SunTrust'],
  SPGI: ['Standard & Poor\'s', 'S&P Global Ratings'],
  CMCSA: ['NBCUniversal', 'Xfinity'],
  DIS: ['Disney'],
  NVDA: ['NVIDIA'],
  AMD: ['AMD'],
  GM: ['GM'],
  HON: ['Honeywell'],
  HPE: ['HPE'],
  UPS: ['UPS'],
  BK: ['BNY'],
  MCD: ['McDonalds'],
  WBD: ['Warner Bros'],
  SCHW: ['Schwab'],
  ON: ['onsemi'],
  ORLY: ["O'Reilly"],
  HIG: ['The Hartford'],
  TRV: ['The Travelers'],
  TMUS: ['T-Mobile'],
  WMT: ['Wal-Mart'],
  MO: ['Philip Morris USA'],
  FDX: ['Federal Express'],
  // Listed outside the S&P 500: brands that differ from the listing name.
  PEP: ['Pepsi'],
  PBR: ['Petrobras'],
  CBRL: ['Cracker Barrel'],
  TSM: ['TSMC', 'Taiwan Semiconductor'],
  AEO: ['American Eagle'],
  BABA: ['Alibaba'],
  BIDU: ['Baidu'],
  JD: ['JD.com'],
  MELI: ['Mercado Libre'],
  NVO: ['Novo'],
  CPNG: ['Coupang'],
  SHOP: ['Shopify'],
  HMC: ['Honda'],
  TM: ['Toyota'],
  SONY: ['Sony'],
};

export type NameKind = 'name' | 'alias';

export interface NameEntry {
  text: string;
  ticker: string;
  kind: NameKind;
  /** How much context the name needs before it counts (see context.ts). */
  guard: GuardLevel;
  subject: GuardSubject;
}

/** Below this market cap an issuer is matched by its name and symbol only: no derived short names (a micro cap must not claim a word). */
const MIN_CAP_FOR_ALIASES_USD = 100e6;
/** Two issuers claim one text: the larger keeps it when it is this many times bigger (market cap as a prior). */
const CAP_DOMINANCE = 10;

/** Every (name text -> ticker) pair; a text claimed by two different issuers is dropped unless curated or one dwarfs the other. */
export function buildNameEntries(companies: readonly Company[]): NameEntry[] {
  type Candidate = { entry: NameEntry; issuer: string; curated: boolean; cap: number };
  const byText = new Map<string, Candidate | null>();
  const issuerOf = (c: Company) => c.issuer ?? c.cik ?? c.name.replace(/\s*\(Class [A-Z]\)\s*$/i, '');

  const add = (text: string, company: Company, kind: NameKind, curated: boolean, derivedShort = false, guardOf = text) => {
    const key = normaliseForMatching(text).trim();
    const guardKey = normaliseForMatching(guardOf).trim();
    if (!key || (!curated && key.length < 2)) return;
    const equity = !company.assetClass || company.assetClass === 'equity';
    // Bare ambiguous names need a business word beside them; ordinary words and the short forms of
    // companies outside the S&P 500 need context or a strong prior.
    let guard: GuardLevel = 'none';
    if (equity && !curated && AMBIGUOUS.has(guardKey)) guard = 'strict';
    else if (equity && !/\s/.test(guardKey) && (isOrdinaryWord(guardKey) || (derivedShort && !company.sp500 && company.marketCapUsd !== undefined))) guard = 'context';
    const subject: GuardSubject = { sector: company.sector, industry: company.industry, marketCapUsd: company.marketCapUsd, sp500: company.sp500 };
    const candidate: Candidate = { entry: { text: key, ticker: company.ticker, kind, guard, subject }, issuer: issuerOf(company), curated, cap: company.marketCapUsd ?? 0 };
    const existing = byText.get(key);
    if (existing === undefined) return void byText.set(key, candidate);
    if (existing === null || existing.issuer === candidate.issuer) return; // first share class in list order wins
    if (existing.curated && !curated) return;
    if (curated && !existing.curated) return void byText.set(key, candidate);
    // An instrument's own name beats another's derived short name ("Bitcoin" is BTC, not "Bitcoin Cash").
    if (existing.entry.kind === 'name' && kind === 'alias') return;
    if (existing.entry.kind === 'alias' && kind === 'name') return void byText.set(key, candidate);
    if (existing.cap >= CAP_DOMINANCE * candidate.cap && existing.cap > 0) return;
    if (candidate.cap >= CAP_DOMINANCE * existing.cap && candidate.cap > 0) return void byText.set(key, candidate);
    byText.set(key, null);
  };

  for (const company of companies) {
    if (company.namesFrom === 'none') continue;
    const listing = normaliseForMatching(company.name).replace(/\s*\([^)]*\)/g, '').trim();
    const base = newsName(listing.replace(LEGAL_SUFFIX, '').trim());
    if (base.length < 3) {
      // Only the suffixed form is safe: "HP Inc."
      if (listing !== base) add(listing.replace(/\.$/, ''), company, 'name', true);
    } else {
      add(base, company, 'name', false);
      // "Target Corporation", "Block, Inc.": the listing form is unambiguous where the bare name is not.
      if (AMBIGUOUS.has(base) && listing !== base) add(listing.replace(/\.$/, ''), company, 'name', true);
      if (base.length >= 5 && /[a-z]/.test(base) && !AMBIGUOUS.has(base)) add(base.toUpperCase(), company, 'name', false, false, base);
    }
    // An S&P row keeps its short Security name ("Casey's"); the listing's issuer name is a name too ("Casey's General Stores").
    if (company.listingName) {
      const listed = newsName(normaliseForMatching(company.listingName));
      if (listed.length >= 3 && listed !== base) add(listed, company, 'name', false);
    }
    // Crypto names are written in lower case too ("bitcoin"), when that is not an English word ("ether", "tether").
    if (company.assetClass === 'crypto' && base.length >= 6 && !isOrdinaryWord(base)) add(base.toLowerCase(), company, 'name', false);
    for (const alias of [...(CURATED_ALIASES[company.ticker] ?? []), ...(company.aliases ?? [])]) add(alias, company, 'alias', true);
    // Fund and token names are matched as written: "Financial" is not the financials ETF.
    if (company.assetClass && company.assetClass !== 'equity') continue;
    if (company.marketCapUsd !== undefined && !company.sp500 && (company.marketCapUsd ?? 0) < MIN_CAP_FOR_ALIASES_USD) continue;
    // "Raymond James Financial" -> "Raymond James": a two-word remainder is specific enough to lose a generic tail.
    const shorter = base.replace(GENERIC_TAIL, '').replace(TWO_WORD_TAIL, '$1');
    // "TJX Companies" -> "TJX": a three-letter remainder is kept only when it is all capitals.
    if (shorter !== base && (shorter.length >= 4 || /^[A-Z0-9]{3}$/.test(shorter)) && !NOT_A_SHORT_NAME.has(shorter)) add(shorter, company, 'alias', false, true);
    // "C.H. Robinson" -> "CH Robinson", "D. R. Horton" -> "DR Horton".
    const initials = base.replace(/\b([A-Z])\.\s?([A-Z])\.(?:\s?([A-Z])\.)?\s*/g, (_m, a: string, b: string, c?: string) => `${a}${b}${c ?? ''} `).trim();
    if (initials !== base) add(initials, company, 'alias', false);
    // "Goodyear Tire & Rubber" -> "Goodyear Tire": the words before an "&" that joins two more.
    const amp = /^(\S+\s+\S+)\s+&\s+\S+$/.exec(base);
    if (amp && !company.sp500) add(amp[1]!, company, 'alias', false);
    const first = shortName(base);
    if (first) add(first, company, 'alias', false, true);
  }
  return [...byText.values()].filter((v): v is Candidate => v !== null).map((v) => v.entry);
}

/**
 * The first word of a multi-word name when it can stand alone (see NOT_A_SHORT_NAME): at least
 * four letters, starting with a capital, not an initial, not a common word.
 */
export function shortName(base: string): string | null {
  const words = base.split(/\s+/);
  if (words.length < 2) return null;
  const first = words[0]!.replace(/[,:;]$/, '');
  if (first.length < 4 || !/^\p{Lu}/u.test(first) || /\.$/.test(first)) return null;
  if (/^[\p{L}\p{N}]+-/u.test(first) && NOT_A_SHORT_NAME.has(first.split('-')[0]!)) return null;
  if (NOT_A_SHORT_NAME.has(first) || NOT_A_SHORT_NAME.has(normaliseForMatching(first))) return null;
  // "Coca-Cola" stands alone; a first word followed by "&" ("Procter & Gamble", "Johnson & Johnson") does not.
  if (words[1] === '&' || words[1] === 'and') return null;
  return first;
}

export interface NameMatch {
  text: string;
  index: number;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const LEADING_WORD = /^[\p{L}\p{N}]+/u;

/**
 * All names found in a text, leftmost first, the longest at each place ("FedEx Freight" over
 * "FedEx"), each standing alone: no letter, digit or "$" right before it, no letter or digit
 * right after. Names are indexed by their first word, so the text is read once, word by word,
 * with one hash lookup per word: ~14,000 names of the listed universe cost about what 1,500 did
 * (one alternation regex over that many names was ~1 ms a headline).
 */
export function compileNameMatcher(names: readonly string[]): (text: string) => NameMatch[] {
  const byFirstWord = new Map<string, string[]>();
  for (const name of new Set(names)) {
    const first = LEADING_WORD.exec(name)?.[0];
    if (!first) continue; // every derived or curated name starts with a letter or digit
    let list = byFirstWord.get(first);
    if (!list) byFirstWord.set(first, (list = []));
    list.push(name);
  }
  for (const list of byFirstWord.values()) list.sort((a, b) => b.length - a.length);
  const wordStart = /[\p{L}\p{N}]+/gu;
  return (text: string) => {
    const found: NameMatch[] = [];
    wordStart.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = wordStart.exec(text))) {
      const at = m.index;
      if (at > 0 && text[at - 1] === '$') continue;
      const candidates = byFirstWord.get(m[0]);
      if (!candidates) continue;
      for (const name of candidates) {
        const end = at + name.length;
        if (end > text.length || !text.startsWith(name, at)) continue;
        if (end < text.length && WORD_CHAR.test(text[end]!)) continue;
        found.push({ text: name, index: at });
        wordStart.lastIndex = end;
        break;
      }
    }
    return found;
  };
}
