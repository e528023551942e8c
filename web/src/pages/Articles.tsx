/** The article feed, newest first, cursor-paged ("Load more"), with search, ticker and date filters. */
import { useEffect, useState, type FormEvent } from 'react';
import { graphql } from '../gql';
import type { ArticleFilterInput, ArticlesPageQuery } from '../gql/graphql';
import { request } from '../lib/graphql';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { dateTime } from '../lib/format';
import { Sentiment, Status } from '../components/Status';
import { parseTickers } from './LiveSignals';

const ArticlesDoc = graphql(`
  query ArticlesPage($filter: ArticleFilterInput, $first: Int!, $after: String) {
    articles(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          title
          url
          source
          publishedAt
          publishedAtEstimated
          tickers {
            ticker
            relevance
          }
          sentiment {
            label
            score
            modelVersion
          }
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

type Article = ArticlesPageQuery['articles']['edges'][number]['node'];
const PAGE = 25;

export function Articles() {
  const { key } = useSession();
  const [form, setForm] = useState({ search: '', tickers: '', from: '', to: '' });
  const [filter, setFilter] = useState<ArticleFilterInput>({});
  const [items, setItems] = useState<Article[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = async (after: string | null, replace: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const { articles } = await request(key, ArticlesDoc, { filter, first: PAGE, after });
      setItems((prev) => (replace ? articles.edges.map((e) => e.node) : [...prev, ...articles.edges.map((e) => e.node)]));
      setCursor(articles.pageInfo.endCursor ?? null);
      setHasNext(articles.pageInfo.hasNextPage);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void load(null, true), [filter]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const tickers = parseTickers(form.tickers);
    setFilter({
      ...(form.search.trim() ? { search: form.search.trim() } : {}),
      ...(tickers.length ? { tickers } : {}),
      ...(form.from ? { from: new Date(`${form.from}T00:00:00Z`).toISOString() } : {}),
      ...(form.to ? { to: new Date(`${form.to}T23:59:59Z`).toISOString() } : {}),
    });
  };
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section className="page">
      <header className="page-head">
        <h2>Articles</h2>
      </header>
      <form className="filters" onSubmit={submit} aria-label="Article filters">
        <label className="grow">
          Search
          <input name="search" value={form.search} onChange={set('search')} placeholder="words in title or summary" />
        </label>
        <label>
          Tickers
          <input name="tickers" value={form.tickers} onChange={set('tickers')} placeholder="AAPL MSFT" />
        </label>
        <label>
          From
          <input name="from" type="date" value={form.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input name="to" type="date" value={form.to} onChange={set('to')} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Status loading={loading} error={error} empty={!loading && items.length === 0} emptyText="No articles match these filters." onRetry={() => load(null, true)}>
        <ul className="articles feed" data-testid="article-list">
          {items.map((a) => (
            <li key={a.id}>
              <Sentiment label={a.sentiment?.label} score={a.sentiment?.score} />
              <span className="title">{a.url ? <a href={a.url} target="_blank" rel="noreferrer noopener">{a.title}</a> : a.title}</span>
              <span className="muted small">
                {dateTime(a.publishedAt)}
                {a.publishedAtEstimated && ' (estimated)'} · {a.source}
                {a.sentiment && <> · {a.sentiment.modelVersion}</>}
              </span>
              <span className="tickers">
                {a.tickers.map((t) => (
                  <Link key={t.ticker} to={`/tickers/${t.ticker}`} className="chip ticker-chip" title={`relevance ${t.relevance.toFixed(2)}`}>
                    {t.ticker}
                  </Link>
                ))}
              </span>
            </li>
          ))}
        </ul>
        <div className="more">
          {hasNext ? (
            <button type="button" onClick={() => load(cursor, false)} disabled={loading}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
          ) : (
            items.length > 0 && <span className="muted small">End of the feed · {items.length} article{items.length === 1 ? '' : 's'}</span>
          )}
        </div>
      </Status>
    </section>
  );
}
