import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, sharedDataPath } from '../../config/paths';
import { FeedParseError } from './errors';
import { parseFeed } from './parse';

const fixture = (name: string) => fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'feeds', name));
const sec = (name: string) => fs.readFileSync(sharedDataPath('feeds', name));

function parseError(body: Buffer | string, opts = {}): FeedParseError {
  try {
    parseFeed(body, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(FeedParseError);
    expect((err as FeedParseError).kind).toBe('permanent');
    return err as FeedParseError;
  }
  throw new Error('expected parseFeed to fail');
}

describe('parseFeed on the real SEC feeds', () => {
  it('reads the ISO-8859-1 EDGAR Atom company feeds', () => {
    const small = parseFeed(sec('sec_company_filings_atom.xml'));
    expect(small).toMatchObject({ format: 'atom', encoding: 'windows-1252', title: 'Maquia Capital Acquisition Corp  (0001844419)' });
    expect(small.items).toHaveLength(5);
    const big = parseFeed(sec('sec_company_filings_atom1.xml'));
    expect(big.items).toHaveLength(55);
    expect(big.items[0]).toMatchObject({
      title: '8-K  - Current report',
      link: 'https://www.sec.gov/Archives/edgar/data/1889983/000121390025006497/0001213900-25-006497-index.htm',
      guid: 'urn:tag:sec.gov,2008:accession-number=0001213900-25-006497',
      guidIsPermaLink: false,
      updated: '2025-01-24T16:00:43-05:00',
      categories: ['8-K'],
      // EDGAR's type="text/xml" filing metadata is not prose
      content: null,
    });
    expect(big.items[0]!.summary).toContain('<b>Filed:</b> 2025-01-24');
  });

  it('reads the UTF-8 RSS feeds with xml:base', () => {
    for (const name of ['sec_pressreleases.rss', 'sec_testimony.rss']) {
      const feed = parseFeed(sec(name));
      expect(feed).toMatchObject({ format: 'rss', encoding: 'utf-8', base: 'https://www.sec.gov/', link: 'https://www.sec.gov/' });
      expect(feed.items).toHaveLength(25);
      for (const item of feed.items) {
        expect(item.title).toBeTruthy();
        expect(item.published).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/);
      }
    }
    const press = parseFeed(sec('sec_pressreleases.rss'));
    expect(press.items[0]).toMatchObject({
      title: 'Acting Chairman Mark T. Uyeda Names Acting Senior Staff',
      guid: 'ec1b9af9-5a0f-44b3-83c6-adc75a33096d',
      guidIsPermaLink: false,
      author: null,
    });
  });
});

describe('parseFeed formats', () => {
  it('reads RSS 1.0 (RDF) with dc: fields and CDATA', () => {
    const feed = parseFeed(fixture('rdf-rss10.xml'));
    expect(feed.format).toBe('rdf');
    expect(feed.title).toBe('RDF Wire');
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toMatchObject({
      title: 'NVIDIA beats estimates',
      published: '2025-01-21T10:15:00+01:00',
      author: 'Jane Doe',
      categories: ['Semiconductors'],
      guidIsPermaLink: false,
    });
    // CDATA is taken literally, not entity-decoded or parsed as markup
    expect(feed.items[1]!.title).toBe('Ford & GM <recall> update');
  });

  it('reads RSS 0.91 with an external DOCTYPE (never fetched) and decodes character references', () => {
    const feed = parseFeed(fixture('rss091-doctype.xml'));
    expect(feed.format).toBe('rss');
    expect(feed.items[0]!.title).toBe('Microsoft & Apple – café talks');
    expect(feed.items[0]!.link).toBe('/stories/1.html?utm_source=rss&b=2&a=1#top');
  });

  it('reads Atom: alternate link, xml:base, xhtml summary, author, categories', () => {
    const feed = parseFeed(fixture('atom-xhtml.xml'));
    expect(feed).toMatchObject({ format: 'atom', title: 'Atom Wire', link: 'https://atom.example.net/', base: 'https://atom.example.net/news/' });
    expect(feed.items[0]).toMatchObject({
      title: 'Alphabet <em>and</em> Meta',
      link: 'stories/42',
      guid: 'tag:atom.example.net,2025:42',
      author: 'Ann Analyst',
      categories: ['tech'],
      published: '2025-01-22T08:30:00.123+05:30',
    });
    expect(feed.items[0]!.summary).toBe('Google parent results');
  });

  it('honours a UTF-8 BOM and a content-type charset when the declaration names none', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss><channel><title>Café</title></channel></rss>')]);
    expect(parseFeed(body).title).toBe('Café');
    const latin1 = Buffer.from('<rss><channel><title>Caf\xe9</title></channel></rss>', 'latin1');
    expect(parseFeed(latin1, { contentType: 'text/xml; charset=ISO-8859-1' }).title).toBe('Café');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>Café</title></channel></rss>', 'utf16le')]);
    expect(parseFeed(utf16)).toMatchObject({ title: 'Café', encoding: 'utf-16le' });
    const liar = Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>Café</title></channel></rss>');
    expect(parseFeed(liar)).toMatchObject({ title: 'Café', encoding: 'utf-8' });
  });
});

describe('parseFeed on hostile input', () => {
  it('refuses a billion-laughs entity bomb quickly', () => {
    const started = Date.now();
    const err = parseError(fixture('billion-laughs.xml'));
    expect(err.code).toBe('FORBIDDEN_DTD');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('refuses an external entity (XXE) pointing at /etc/passwd without reading it', () => {
    const err = parseError(fixture('xxe.xml'));
    expect(err.code).toBe('FORBIDDEN_DTD');
    expect(err.message).not.toContain('root:');
  });

  it('never expands undeclared entities either', () => {
    const feed = parseFeed('<rss><channel><item><title>a &xxe; b</title></item></channel></rss>');
    expect(feed.items[0]!.title).toBe('a &xxe; b');
  });

  it('rejects HTML pages and JSON as NOT_A_FEED', () => {
    expect(parseError(fixture('not-a-feed.html'))).toMatchObject({ code: 'NOT_A_FEED', message: expect.stringContaining('HTML') });
    expect(parseError(fixture('not-a-feed.json'))).toMatchObject({ code: 'NOT_A_FEED', message: expect.stringContaining('JSON') });
    expect(parseError('<?xml version="1.0"?><html><body/></html>')).toMatchObject({ code: 'NOT_A_FEED' });
    expect(parseError('<?xml version="1.0"?><opml><body/></opml>')).toMatchObject({ code: 'NOT_A_FEED' });
    expect(parseError(Buffer.alloc(0))).toMatchObject({ code: 'NOT_A_FEED' });
  });

  it('rejects malformed XML with a position', () => {
    const err = parseError('<rss><channel><title>x</channel></rss>');
    expect(err.code).toBe('MALFORMED_XML');
    expect(err.message).toMatch(/line 1/);
  });

  it('rejects invalid UTF-8 as a permanent INVALID_ENCODING error, or replaces and flags it on request', () => {
    const body = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="utf-8"?><rss><channel><title>bad '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('</title></channel></rss>'),
    ]);
    const err = parseError(body);
    expect(err.code).toBe('INVALID_ENCODING');
    expect(err.message).toMatch(/utf-8.*offset 6\d/);
    const lenient = parseFeed(body, { invalidEncoding: 'replace' });
    expect(lenient.replacedInvalidBytes).toBe(true);
    expect(lenient.title).toContain('\uFFFD');
  });

  it('turns absurd nesting depth into a clear error instead of a crash', () => {
    const depth = 20_000;
    const err = parseError(Buffer.from(`<rss><channel>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</channel></rss>`));
    expect(err).toMatchObject({ code: 'MALFORMED_XML', message: expect.stringContaining('nested too deeply') });
  });

  it('rejects an unknown declared encoding', () => {
    expect(parseError(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss/>'))).toMatchObject({ code: 'UNSUPPORTED_ENCODING' });
  });

  it('refuses bodies over the cap without parsing them', () => {
    const err = parseError(Buffer.alloc(5 * 1024 * 1024 + 1, 0x20));
    expect(err.code).toBe('TOO_LARGE');
  });

  it('parses a large (1 MB, 5k items) feed in reasonable time and memory', () => {
    const item = (i: number) => `<item><title>Story ${i}</title><link>https://big.example.com/${i}</link><description>${'x'.repeat(150)}</description></item>`;
    const xml = `<rss version="2.0"><channel><title>Big</title>${Array.from({ length: 5_000 }, (_, i) => item(i)).join('')}</channel></rss>`;
    expect(xml.length).toBeGreaterThan(900_000);
    const started = Date.now();
    const feed = parseFeed(Buffer.from(xml));
    expect(feed.items).toHaveLength(5_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('parseFeed caps (issue 11 D18)', () => {
  it('reads at most maxItems items, counts the rest without building them, and keeps the items read whole', () => {
    const item = (i: number) => `<item><title>t${i}</title><link>https://x.example/${i}</link><category>a</category></item>`;
    const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>${Array.from({ length: 120 }, (_, i) => item(i)).join('')}</channel></rss>`;
    const parsed = parseFeed(body, { maxItems: 100 });
    expect(parsed.items).toHaveLength(100);
    expect(parsed.itemsOverCap).toBe(20);
    expect(parsed.elementsOverCap).toBe(0);
    expect(parsed.items[99]).toMatchObject({ title: 't99', link: 'https://x.example/99', categories: ['a'] });
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom">${Array.from({ length: 30 }, (_, i) => `<entry><id>e${i}</id></entry>`).join('')}</feed>`;
    expect(parseFeed(atom, { maxItems: 25 })).toMatchObject({ itemsOverCap: 5 });
  });

  it('bloat outside items is bounded by an element budget', () => {
    const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>kept</title></item><x>${'<y/>'.repeat(100_000)}</x></channel></rss>`;
    const parsed = parseFeed(body, { maxItems: 100 }); // budget 100 x 50 = 5,000 elements
    expect(parsed.items.map((i) => i.title)).toEqual(['kept']);
    expect(parsed.elementsOverCap).toBeGreaterThan(94_000);
  });
});
