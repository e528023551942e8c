import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeFeedBody, type DecodeOptions } from './encoding';
import { FeedParseError } from './errors';
import { decodeXmlEntities } from './html-text';

/** One item as the feed wrote it: strings are entity-decoded XML text but otherwise untouched (summaries may hold HTML). */
export interface RawFeedItem {
  title: string | null;
  /** As found: may be relative to `base` or the feed URL. */
  link: string | null;
  guid: string | null;
  /** RSS guid@isPermaLink (default true in RSS 2.0); always false for Atom ids. */
  guidIsPermaLink: boolean;
  summary: string | null;
  /** content:encoded (RSS) or atom:content, usually fuller HTML than summary. */
  content: string | null;
  /** Raw date strings: normalise parses them so every date form is handled in one place. */
  published: string | null;
  updated: string | null;
  author: string | null;
  categories: string[];
  /** xml:base in effect for this item, if any. */
  base: string | null;
}

export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom';
  title: string | null;
  link: string | null;
  base: string | null;
  items: RawFeedItem[];
  encoding: string;
  replacedInvalidBytes: boolean;
  /** Items the body held beyond `maxItems`: counted, never built. */
  itemsOverCap: number;
  /** Elements beyond the element budget (ELEMENTS_PER_ITEM x maxItems): counted, never built. */
  elementsOverCap: number;
}

export interface ParseFeedOptions extends DecodeOptions {
  /** From the HTTP response; used for the charset when neither BOM nor XML declaration names one. */
  contentType?: string | null;
  /** Defence in depth for callers that did not come through fetchFeed's cap. */
  maxBytes?: number;
  /**
   * Items (RSS item / Atom entry) read at most; later ones are counted but never built, so a
   * body of 600,000 empty items costs no more memory than one of `maxItems`. Default 5,000.
   */
  maxItems?: number;
}

export const DEFAULT_MAX_ITEMS = 5000;
/**
 * Elements built at most, per item allowed: bloat outside items (600,000 empty elements under
 * the channel) would otherwise cost what 600,000 items did. Generous for real feeds (an item
 * is typically 5-20 elements).
 */
export const ELEMENTS_PER_ITEM = 50;

type XmlNode = Record<string, unknown>;

const ARRAY_TAGS = new Set(['item', 'entry', 'link', 'category', 'author', 'subject', 'channel']);

// processEntities is off: fast-xml-parser 5.3 would expand DTD-declared entities without any cap.
// We decode the five XML entities and character references ourselves (html-text.ts), DOCTYPEs with
// ENTITY declarations are refused before parsing, and nothing is ever fetched.
const parserOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  cdataPropName: '#cdata',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (tagName: string) => ARRAY_TAGS.has(localName(tagName)),
};

/**
 * A parser that keeps the first `maxItems` feed items and drops later ones as they open
 * (fast-xml-parser's updateTag returning false detaches the node, so its subtree is garbage as
 * soon as it closes). Feed items sit at rss/channel/item, rdf:RDF/item or feed/entry.
 */
function cappedParser(maxItems: number) {
  const count = { items: 0, elements: 0, elementsOverCap: 0 };
  const maxElements = Math.max(1000, maxItems * ELEMENTS_PER_ITEM);
  const parser = new XMLParser({
    ...parserOptions,
    updateTag: (tagName: string, jPath: string) => {
      const path = jPath.split('.');
      const isItem = (i: number) => i < path.length && (localName(path[i]!) === 'item' || localName(path[i]!) === 'entry');
      if (path.length === 2 || path.length === 3) {
        if (isItem(path.length - 1)) {
          count.items++;
          if (count.items > maxItems) return false;
        }
      } else if (count.items > maxItems && (isItem(1) || isItem(2))) {
        // Inside an item past the cap (items are siblings, so every later one is dropped too):
        // detached with its item, never built, and not charged to the element budget.
        return false;
      }
      count.elements++;
      if (count.elements > maxElements) {
        count.elementsOverCap++;
        return false;
      }
      return true;
    },
  });
  return { parser, count };
}

export function parseFeed(body: Buffer | string, options: ParseFeedOptions = {}): ParsedFeed {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > maxBytes) throw new FeedParseError('TOO_LARGE', `feed body of ${size} bytes exceeds the ${maxBytes}-byte cap`);
  const decoded =
    typeof body === 'string'
      ? { text: body, encoding: 'utf-8', replacedInvalidBytes: false }
      : decodeFeedBody(body, options.contentType, options);

  const xml = stripProlog(decoded.text.replace(/^\uFEFF/, ''));
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new FeedParseError('MALFORMED_XML', `malformed XML at line ${line}, column ${col}: ${msg}`);
  }
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const { parser, count } = cappedParser(maxItems);
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (err) {
    // The parser recurses per nesting level; absurd depth overflows the stack, which is a property of the input.
    const detail = err instanceof RangeError ? 'elements nested too deeply' : (err as Error).message;
    throw new FeedParseError('MALFORMED_XML', `malformed XML: ${detail}`, { cause: err });
  }

  const rootName = Object.keys(doc).find((k) => !k.startsWith('@_') && !k.startsWith('#'));
  const root = rootName ? asNode(first(doc[rootName])) : null;
  if (!rootName || !root) throw new FeedParseError('NOT_A_FEED', 'document has no root element');
  const local = localName(rootName);
  const meta = { encoding: decoded.encoding, replacedInvalidBytes: decoded.replacedInvalidBytes, itemsOverCap: Math.max(0, count.items - maxItems), elementsOverCap: count.elementsOverCap };
  if (local === 'rss') return { ...readRss(root, null), ...meta };
  if (local === 'RDF') return { ...readRss(root, root), format: 'rdf', ...meta };
  if (local === 'feed') return { ...readAtom(root, prefixOf(rootName)), ...meta };
  throw new FeedParseError('NOT_A_FEED', `root element <${rootName}> is not rss, rdf:RDF or feed`);
}

/**
 * Walks the prolog (declaration, comments, PIs, DOCTYPE) by hand: refuses entity declarations,
 * recognises HTML and JSON early with a useful message, and drops the DOCTYPE so the parser's own
 * DTD reader never sees it.
 */
function stripProlog(text: string): string {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) throw new FeedParseError('NOT_A_FEED', 'body is empty');
    if (text[i] !== '<') {
      const looksJson = text[i] === '{' || text[i] === '[';
      throw new FeedParseError('NOT_A_FEED', looksJson ? 'body looks like JSON, not an XML feed' : 'body is not XML');
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) throw new FeedParseError('MALFORMED_XML', 'unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) throw new FeedParseError('MALFORMED_XML', 'unterminated comment');
      i = end + 3;
    } else if (/^<!doctype/i.test(text.slice(i, i + 9))) {
      const end = doctypeEnd(text, i);
      const doctype = text.slice(i, end);
      if (/^<!doctype\s+html\b/i.test(doctype)) throw new FeedParseError('NOT_A_FEED', 'body is an HTML page, not a feed');
      if (/<!ENTITY/i.test(doctype)) {
        throw new FeedParseError('FORBIDDEN_DTD', 'DOCTYPE declares entities; refused to guard against entity expansion and external entities');
      }
      return text.slice(0, i) + text.slice(end);
    } else {
      if (/^<html[\s>]/i.test(text.slice(i, i + 6))) throw new FeedParseError('NOT_A_FEED', 'body is an HTML page, not a feed');
      return text;
    }
  }
}

/** End of a DOCTYPE, honouring quotes and an internal subset in brackets; linear in its length. */
function doctypeEnd(text: string, start: number): number {
  let quote: string | null = null;
  let depth = 0;
  for (let i = start + 9; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (ch === '>' && depth <= 0) return i + 1;
  }
  throw new FeedParseError('MALFORMED_XML', 'unterminated DOCTYPE');
}

function readRss(root: XmlNode, rdfRoot: XmlNode | null): Omit<ParsedFeed, 'encoding' | 'replacedInvalidBytes' | 'itemsOverCap' | 'elementsOverCap'> {
  const channel = asNode(first(root['channel'])) ?? {};
  const itemSource = rdfRoot ?? channel;
  const base = attr(root, 'xml:base') ?? attr(channel, 'xml:base');
  const items = asArray(itemSource['item'] ?? (rdfRoot ? channel['item'] : undefined)).map((raw): RawFeedItem => {
    const item = asNode(raw) ?? {};
    const guidNode = first(item['guid']);
    const permaLinkAttr = attr(asNode(guidNode), 'isPermaLink');
    return {
      title: text(item['title']),
      link: rssLink(item),
      guid: text(guidNode),
      guidIsPermaLink: permaLinkAttr === null ? !rdfRoot : permaLinkAttr.trim().toLowerCase() === 'true',
      summary: text(item['description']),
      content: text(item['content:encoded']),
      published: text(item['pubDate']) ?? text(item['dc:date']) ?? text(item['published']),
      updated: text(item['updated']) ?? text(item['dcterms:modified']),
      author: text(item['author']) ?? text(item['dc:creator']),
      categories: [...asArray(item['category']), ...asArray(item['dc:subject'])]
        .map((c) => text(c))
        .filter((c): c is string => !!c),
      base: attr(item, 'xml:base') ?? base,
    };
  });
  return { format: 'rss', title: text(channel['title']), link: rssLink(channel), base, items };
}

function rssLink(node: XmlNode): string | null {
  for (const link of asArray(node['link'])) {
    const value = text(link);
    if (value) return value;
  }
  // Some RSS feeds only carry an atom:link rel="alternate".
  return atomLink(node, 'atom:');
}

function readAtom(root: XmlNode, prefix: string): Omit<ParsedFeed, 'encoding' | 'replacedInvalidBytes' | 'itemsOverCap' | 'elementsOverCap'> {
  const base = attr(root, 'xml:base');
  const items = asArray(root[prefix + 'entry']).map((raw): RawFeedItem => {
    const entry = asNode(raw) ?? {};
    const author = asNode(first(entry[prefix + 'author']));
    return {
      title: text(entry[prefix + 'title']),
      link: atomLink(entry, prefix),
      guid: text(entry[prefix + 'id']),
      guidIsPermaLink: false,
      summary: text(entry[prefix + 'summary']),
      content: atomTextConstruct(entry[prefix + 'content']),
      published: text(entry[prefix + 'published']) ?? text(entry[prefix + 'issued']),
      updated: text(entry[prefix + 'updated']) ?? text(entry[prefix + 'modified']),
      author: author ? text(author[prefix + 'name']) : null,
      categories: asArray(entry[prefix + 'category'])
        .map((c) => attr(asNode(c), 'term') ?? attr(asNode(c), 'label'))
        .filter((c): c is string => !!c),
      base: attr(entry, 'xml:base') ?? base,
    };
  });
  return { format: 'atom', title: text(root[prefix + 'title']), link: atomLink(root, prefix), base, items };
}

/**
 * Atom content may carry arbitrary XML (SEC puts filing metadata there as type="text/xml");
 * flattened, that is noise rather than prose, so only text/html/xhtml content is kept.
 */
function atomTextConstruct(value: unknown): string | null {
  const type = (attr(asNode(first(value)), 'type') ?? 'text').toLowerCase();
  return type === 'text' || type.includes('html') || type.startsWith('text/plain') ? text(value) : null;
}

/** rel="alternate" (the default rel) wins, HTML alternates first; otherwise any link with an href. */
function atomLink(node: XmlNode, prefix: string): string | null {
  const links = asArray(node[prefix + 'link']).map(asNode).filter((l): l is XmlNode => !!l && !!attr(l, 'href'));
  const alternates = links.filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const html = alternates.find((l) => /html/i.test(attr(l, 'type') ?? 'text/html'));
  const chosen = html ?? alternates[0] ?? links.find((l) => attr(l, 'rel') !== 'self') ?? null;
  return chosen ? attr(chosen, 'href') : null;
}

/**
 * Text content of an element: entity-decoded text plus raw CDATA plus, for XHTML content, the
 * text of child elements (their interleaving with sibling text is not preserved, which only
 * matters for XHTML summaries and is acceptable once tags are stripped anyway).
 */
function text(value: unknown): string | null {
  const out = collectText(first(value)).trim();
  return out ? out : null;
}

function collectText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return decodeXmlEntities(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(collectText).join(' ');
  const node = value as XmlNode;
  let out = '';
  for (const [key, child] of Object.entries(node)) {
    if (key.startsWith('@_')) continue;
    if (key === '#cdata') out += asArray(child).map((c) => (typeof c === 'string' ? c : collectText(c))).join('');
    else if (key === '#text') out += collectText(child);
    else out += (out ? ' ' : '') + collectText(child);
  }
  return out;
}

function attr(node: XmlNode | null | undefined, name: string): string | null {
  const value = node?.['@_' + name];
  return typeof value === 'string' ? decodeXmlEntities(value).trim() : null;
}

function asNode(value: unknown): XmlNode | null {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as XmlNode;
  if (typeof value === 'string') return { '#text': value };
  return null;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(colon + 1);
}

function prefixOf(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? '' : tag.slice(0, colon + 1);
}
