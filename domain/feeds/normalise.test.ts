import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, sharedDataPath } from '../../config/paths';
import { canonicalizeUrl, resolveHttpUrl, sha256Hex } from './canonical-url';
import { parseFeedDate } from './dates';
import { articleDedupeKey, dedupeArticles } from './dedupe';
import { cleanFeedText } from './html-text';
import { normaliseFeed } from './normalise';
import { parseFeed } from './parse';
import { articlesFromFeedBody } from './articles-from-feed';

const fetchedAt = new Date('2025-01-25T12:00:00Z');
const fixture = (name: string) => fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'feeds', name));

describe('normaliseFeed on the real SEC feeds', () => {
  it.each([
    ['sec_company_filings_atom.xml', 5, 'https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0001844419'],
    ['sec_company_filings_atom1.xml', 55, 'https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0001889983'],
    ['sec_pressreleases.rss', 25, 'https://www.sec.gov/rss/news/press.xml'],
    ['sec_testimony.rss', 25, 'https://www.sec.gov/rss/news/testimony.xml'],
  ])('%s: every item kept with trimmed title, real date and absolute link', (name, count, feedUrl) => {
    const { articles, skipped } = normaliseFeed(parseFeed(fs.readFileSync(sharedDataPath('feeds', name))), { fetchedAt, feedUrl });
    expect(skipped).toEqual([]);
    expect(articles).toHaveLength(count);
    for (const a of articles) {
      expect(a.title).toBe(a.title.trim());
      expect(a.title).not.toMatch(/\s{2,}|\n/);
      expect(a.publishedAtEstimated).toBe(false);
      expect(a.publishedAt.getTime()).toBeLessThan(fetchedAt.getTime());
      expect(a.url).toMatch(/^https:\/\/www\.sec\.gov\//);
      expect(a.urlHash).toBe(sha256Hex(a.canonicalUrl!));
      expect(a.summary).not.toMatch(/<|&nbsp;|&amp;/);
    }
    expect(dedupeArticles(articles).duplicates).toEqual([]);
  });

  it('gets exact values right for the first press release and filing', () => {
    const press = normaliseFeed(parseFeed(fs.readFileSync(sharedDataPath('feeds', 'sec_pressreleases.rss'))), { fetchedAt });
    expect(press.articles[0]).toMatchObject({
      guid: 'ec1b9af9-5a0f-44b3-83c6-adc75a33096d',
      url: 'https://www.sec.gov/newsroom/press-releases/2025-31',
      title: 'Acting Chairman Mark T. Uyeda Names Acting Senior Staff',
      publishedAt: new Date('2025-01-24T16:00:00Z'),
    });
    expect(press.articles[0]!.summary).toMatch(/departures\. “These talented individuals are…$/);
    expect(press.articles[0]!.author).toBeUndefined();
    const filings = normaliseFeed(parseFeed(fs.readFileSync(sharedDataPath('feeds', 'sec_company_filings_atom1.xml'))), { fetchedAt });
    expect(filings.articles[0]).toMatchObject({
      title: '8-K - Current report',
      publishedAt: new Date('2025-01-24T21:00:43Z'),
      categories: ['8-K'],
    });
    expect(filings.articles[0]!.summary).toMatch(/^Filed: 2025-01-24 AccNo: 0001213900-25-006497 Size: 302 KB Item 1\.01: Entry/);
  });
});

describe('normaliseFeed on fixtures', () => {
  it('resolves relative links against the feed URL (as XML does), else the channel link; strips HTML; canonicalises', () => {
    const feed = parseFeed(fixture('rss091-doctype.xml'));
    const viaFeedUrl = normaliseFeed(feed, { fetchedAt, feedUrl: 'https://feeds.example.com/old.rss' });
    expect(viaFeedUrl.articles[0]!.url).toBe('https://feeds.example.com/stories/1.html?utm_source=rss&b=2&a=1#top');
    const { articles } = normaliseFeed(feed, { fetchedAt });
    expect(articles[0]).toMatchObject({
      url: 'http://oldwire.example.com/stories/1.html?utm_source=rss&b=2&a=1#top',
      canonicalUrl: 'http://oldwire.example.com/stories/1.html?a=1&b=2',
      summary: 'Shares of $MSFT rose 3%',
      publishedAtEstimated: true,
      publishedAt: fetchedAt,
    });
  });

  it('resolves against xml:base and takes Atom published over updated', () => {
    const { articles } = normaliseFeed(parseFeed(fixture('atom-xhtml.xml')), { fetchedAt });
    expect(articles[0]).toMatchObject({
      url: 'https://atom.example.net/news/stories/42',
      title: 'Alphabet and Meta',
      publishedAt: new Date('2025-01-22T03:00:00.123Z'),
      author: 'Ann Analyst',
    });
  });

  it('skips items with no identity, estimates missing/unreadable/future dates, uses permalink guids', () => {
    const { articles, skipped } = normaliseFeed(parseFeed(fixture('items-missing-fields.rss')), { fetchedAt });
    expect(skipped).toEqual([
      { index: 1, reason: 'item has no link, guid or title' },
      { index: 4, reason: expect.stringContaining('not an http(s) URL') },
    ]);
    const [titleOnly, byGuid, opaque, future] = articles;
    expect(titleOnly).toMatchObject({ url: null, guid: null, publishedAtEstimated: true, urlHash: sha256Hex('title:only a title and no date') });
    expect(byGuid).toMatchObject({ url: 'https://patchy.example.com/by-guid', publishedAtEstimated: true, title: 'A guid that is a permalink, unreadable date.' });
    expect(opaque).toMatchObject({ url: null, urlHash: sha256Hex('guid:opaque-123'), publishedAt: new Date('2025-01-20T04:59:00Z'), publishedAtEstimated: false });
    expect(future).toMatchObject({ publishedAt: fetchedAt, publishedAtEstimated: true });
  });
});

describe('parseFeedDate', () => {
  it.each([
    ['Fri, 24 Jan 2025 11:00:00 -0500', '2025-01-24T16:00:00.000Z'],
    ['Fri, 24 Jan 2025 11:00 -0500', '2025-01-24T16:00:00.000Z'],
    ['24 Jan 2025 11:00:00 GMT', '2025-01-24T11:00:00.000Z'],
    ['Fri, 24 Jan 2025 11:00:00 EST', '2025-01-24T16:00:00.000Z'],
    ['Thu, 03 Jul 2025 09:30:00 EDT', '2025-07-03T13:30:00.000Z'],
    ['Thu, 03 Jul 2025 09:30:00 PDT', '2025-07-03T16:30:00.000Z'],
    ['Mon, 6 Jan 2025 8:05:09 PST', '2025-01-06T16:05:09.000Z'],
    ['Tuesday, 21 January 2025 10:14:00 +01:00', '2025-01-21T09:14:00.000Z'],
    ['Tue, 21 Jan 25 10:14:00 UT', '2025-01-21T10:14:00.000Z'],
    ['Tue, 21 Jan 2025 10:14:00', '2025-01-21T10:14:00.000Z'],
    ['2025-01-24T16:00:43-05:00', '2025-01-24T21:00:43.000Z'],
    ['2025-01-24T16:00:43Z', '2025-01-24T16:00:43.000Z'],
    ['2025-01-24T16:00:43.5+0530', '2025-01-24T10:30:43.500Z'],
    ['2025-01-24 16:00:43', '2025-01-24T16:00:43.000Z'],
    ['2025-01-24', '2025-01-24T00:00:00.000Z'],
  ])('%s', (input, iso) => {
    expect(parseFeedDate(input)?.toISOString()).toBe(iso);
  });

  it.each(['', 'sometime last week', '2', '31 Feb 2025 10:00:00 GMT', '2025-13-01', 'Fri, 24 Jan 2025 11:00:00 XYZT', '2025-01-24T25:00:00Z'])(
    'rejects %p',
    (input) => expect(parseFeedDate(input)).toBeNull(),
  );
});

describe('canonical URLs', () => {
  it('lower-cases host, drops fragment/tracking/default port/trailing slash, sorts the query', () => {
    expect(canonicalizeUrl('HTTPS://News.Example.COM:443/a/b/?utm_source=x&z=1&fbclid=abc&a=2&gclid=q#frag')).toBe('https://news.example.com/a/b?a=2&z=1');
    expect(canonicalizeUrl('http://example.com:80/?utm_medium=rss')).toBe('http://example.com/');
    expect(canonicalizeUrl('https://example.com:8443/x')).toBe('https://example.com:8443/x');
    expect(canonicalizeUrl('https://example.com/x/')).toBe(canonicalizeUrl('https://example.com/x'));
  });

  it('resolves only to http(s)', () => {
    expect(resolveHttpUrl('../b', 'https://e.com/a/c/')).toBe('https://e.com/a/b');
    expect(resolveHttpUrl('/b', null, 'https://e.com/z')).toBe('https://e.com/b');
    expect(resolveHttpUrl('javascript:alert(1)', 'https://e.com/')).toBeNull();
    expect(resolveHttpUrl('mailto:x@e.com')).toBeNull();
    expect(resolveHttpUrl('/relative-without-base')).toBeNull();
  });
});

describe('cleanFeedText', () => {
  it('strips tags, comments, scripts and decodes entities without treating "<" in prose as a tag', () => {
    expect(cleanFeedText('<p>P/E &lt; 10 and a < b</p><!-- x --><style>p{}</style>\n<b>done</b>&hellip;')).toBe('P/E < 10 and a < b done…');
    expect(cleanFeedText('<a href="x>y" title=\'>\'>link</a>&nbsp;&#x2014;&#8217;&bogus;')).toBe('link —’&bogus;');
    expect(cleanFeedText('unterminated <a href="')).toBe('unterminated');
  });

  it('caps length at a word boundary', () => {
    const out = cleanFeedText('word '.repeat(500), 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.endsWith('word…')).toBe(true);
  });

  it('stays linear on pathological markup', () => {
    const started = Date.now();
    cleanFeedText('<a '.repeat(50_000) + '<'.repeat(50_000) + '&#'.repeat(50_000));
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('dedupe', () => {
  it('dedupes a batch by canonical-URL hash, then by guid', () => {
    const a = { urlHash: 'h1', guid: 'g1' };
    const b = { urlHash: 'h1', guid: 'g2' };
    const c = { urlHash: 'h3', guid: 'g1' };
    const d = { urlHash: 'h4', guid: null };
    const e = { urlHash: 'h5', guid: null };
    expect(dedupeArticles([a, b, c, d, e])).toEqual({
      unique: [a, d, e],
      duplicates: [
        { index: 1, duplicateOf: 0, by: 'urlHash' },
        { index: 2, duplicateOf: 0, by: 'guid' },
      ],
    });
    expect(articleDedupeKey(a)).toEqual({ urlHash: 'h1', guid: 'g1' });
  });

  it('treats tracking-tagged variants of one link as the same article', () => {
    const xml = `<rss><channel><link>https://e.com/</link>
      <item><title>One</title><link>https://e.com/story?id=1&amp;utm_source=tw</link></item>
      <item><title>One again</title><link>https://E.com/story?utm_campaign=x&amp;id=1#c</link></item></channel></rss>`;
    const { articles } = normaliseFeed(parseFeed(xml), { fetchedAt });
    expect(articles[0]!.urlHash).toBe(articles[1]!.urlHash);
    expect(dedupeArticles(articles).unique).toHaveLength(1);
  });
});

describe('articlesFromFeedBody', () => {
  it('parses, normalises and dedupes one body in a call', () => {
    const body = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>W</title><link>https://w.example/</link>
      <item><title> A </title><link>/a?utm_source=x</link><guid isPermaLink="false">1</guid><pubDate>Mon, 20 Jan 2025 10:00:00 GMT</pubDate></item>
      <item><title>A again</title><link>/a</link><guid isPermaLink="false">2</guid></item>
      <item><description>nothing to identify</description></item></channel></rss>`);
    const result = articlesFromFeedBody(body, { fetchedAt, feedUrl: 'https://w.example/feed.xml' });
    expect(result.feed).toEqual({ format: 'rss', title: 'W', link: 'https://w.example/', encoding: 'utf-8', replacedInvalidBytes: false });
    expect(result.articles).toHaveLength(1);
    expect(result.articles[0]).toMatchObject({ title: 'A', canonicalUrl: 'https://w.example/a', publishedAt: new Date('2025-01-20T10:00:00Z') });
    expect(result.duplicates).toEqual([{ index: 1, duplicateOf: 0, by: 'urlHash' }]);
    expect(result.skipped).toEqual([{ index: 2, reason: 'item has no link, guid or title' }]);
  });
});
