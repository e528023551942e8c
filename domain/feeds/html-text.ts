/**
 * Feed text cleaning without a DOM: no HTML-to-text library is among our dependencies, and
 * summaries only need their visible text. Everything here is a single linear pass (no regex
 * with nested quantifiers), so a hostile summary cannot make it backtrack.
 */

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

// HTML 4 Latin-1 entities are, in order, the code points 160..255.
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'.split(
    ' ',
  );

const HTML_ENTITIES: Record<string, string> = {
  ...XML_ENTITIES,
  ...Object.fromEntries(LATIN1_NAMES.map((name, i) => [name, String.fromCodePoint(160 + i)])),
  OElig: 'Œ', oelig: 'œ', Scaron: 'Š', scaron: 'š', Yuml: 'Ÿ', fnof: 'ƒ', circ: 'ˆ', tilde: '˜',
  ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009', zwnj: '\u200C', zwj: '\u200D', lrm: '\u200E', rlm: '\u200F',
  ndash: '–', mdash: '—', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  dagger: '†', Dagger: '‡', bull: '•', hellip: '…', permil: '‰', prime: '′', Prime: '″',
  lsaquo: '‹', rsaquo: '›', oline: '‾', frasl: '⁄', euro: '€', trade: '™', larr: '←', rarr: '→',
  uarr: '↑', darr: '↓', minus: '−', le: '≤', ge: '≥', ne: '≠', asymp: '≈', infin: '∞',
};

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

function decodeWith(table: Record<string, string>, input: string): string {
  if (!input.includes('&')) return input;
  return input.replace(ENTITY, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const invalid = code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff);
      return invalid ? '\uFFFD' : String.fromCodePoint(code);
    }
    return Object.prototype.hasOwnProperty.call(table, body) ? table[body]! : whole;
  });
}

/** XML's five predefined entities and character references; anything else is left as written. */
export function decodeXmlEntities(input: string): string {
  return decodeWith(XML_ENTITIES, input);
}

export function decodeHtmlEntities(input: string): string {
  return decodeWith(HTML_ENTITIES, input);
}

const BLOCK_TAGS = new Set(['br', 'p', 'div', 'li', 'ul', 'ol', 'tr', 'td', 'th', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr', 'section', 'article', 'header', 'footer', 'pre']);
const SKIP_CONTENT_TAGS = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object']);

/** Visible text of an HTML fragment: tags removed (block tags become spaces), script/style dropped, entities decoded. */
export function htmlToText(html: string): string {
  let out = '';
  let i = 0;
  const n = html.length;
  let lower: string | null = null;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const next = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html.startsWith('<![CDATA[', lt)) {
      const end = html.indexOf(']]>', lt + 9);
      out += html.slice(lt + 9, end < 0 ? n : end);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (!/[A-Za-z/!?]/.test(next)) {
      // A bare '<' as in "P/E < 10" is text, not a tag.
      out += '<';
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, lt + 1);
    const nameMatch = /^\/?([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(lt + 1, Math.min(end, lt + 40)));
    const name = nameMatch?.[1]?.toLowerCase() ?? '';
    const closing = next === '/';
    if (BLOCK_TAGS.has(name)) out += ' ';
    i = end;
    if (!closing && SKIP_CONTENT_TAGS.has(name)) {
      lower ??= html.toLowerCase();
      const close = lower.indexOf(`</${name}`, i);
      i = close < 0 ? n : tagEnd(html, close + 1);
    }
  }
  return decodeHtmlEntities(out);
}

/** Index just past the '>' closing a tag that starts at `from`, skipping quoted attribute values; n if unterminated. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  for (let i = from; i < html.length; i++) {
    const ch = html[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return i + 1;
  }
  return html.length;
}

/** Collapses all whitespace runs (including NBSP and zero-width breaks) to single spaces and trims. */
export function collapseWhitespace(input: string): string {
  return input.replace(/[\s\u00A0\u200B\uFEFF]+/g, ' ').trim();
}

/** Caps at maxLength characters, cutting at a word boundary when one is near, and marks the cut with an ellipsis. */
export function truncateText(input: string, maxLength: number): string {
  if (input.length <= maxLength) return input;
  const hard = input.slice(0, Math.max(0, maxLength - 1));
  const space = hard.lastIndexOf(' ');
  const cut = space > maxLength * 0.8 ? hard.slice(0, space) : hard;
  return cut.trimEnd() + '…';
}

/** Feed HTML to a clean single-line plain text. */
export function cleanFeedText(input: string, maxLength?: number): string {
  const text = collapseWhitespace(htmlToText(input));
  return maxLength === undefined ? text : truncateText(text, maxLength);
}
