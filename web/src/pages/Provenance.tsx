import { useEffect } from 'react';
import { graphql } from '../gql';
import { useQuery } from '../lib/use-query';
import { Link } from '../lib/router';
import { dateTime, pct } from '../lib/format';
import { JsonTable, Sentiment, Status, TypeBadge } from '../components/Status';

const SignalProvenanceDoc = graphql(`
  query SignalProvenance($id: ID!) {
    signal(id: $id) {
      id
      ticker
      type
      confidence
      riskLevel
      suggestedPositionSize
      asOf
      createdAt
      modelVersions
      features
      params
      articles {
        id
        title
        url
        publishedAt
        relevance
        score
        modelVersion
        story {
          id
          articles {
            id
            title
            feed
          }
        }
      }
    }
  }
`);

/** Why a signal is what it is: its articles with their sentiment, the model versions, the features. */
export function Provenance({ id, onClose }: { id: string; onClose: () => void }) {
  const q = useQuery(SignalProvenanceDoc, { id });
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  const s = q.data?.signal;
  return (
    <aside className="drawer" role="dialog" aria-label="Signal provenance" data-testid="provenance">
      <header>
        <h3>Provenance</h3>
        <button type="button" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      <Status loading={q.loading} error={q.error} empty={!s} emptyText="This signal no longer exists.">
        {s && (
          <div className="drawer-body">
            <p className="signal-title">
              <Link to={`/tickers/${s.ticker}`}>{s.ticker}</Link> <TypeBadge type={s.type} /> confidence {pct(s.confidence, 0)} · risk {s.riskLevel} · size {pct(s.suggestedPositionSize)}
            </p>
            <p className="muted small">
              as of {dateTime(s.asOf)} · computed {dateTime(s.createdAt)}
            </p>
            <h4>Model version{s.modelVersions.length === 1 ? '' : 's'}</h4>
            <p>{s.modelVersions.length ? s.modelVersions.map((v) => <code key={v}>{v}</code>) : <span className="muted">none recorded</span>}</p>
            <h4>Articles ({s.articles.length})</h4>
            {s.articles.length === 0 ? (
              <div className="state empty">No articles: this signal came from prices alone.</div>
            ) : (
              <ul className="articles">
                {s.articles.map((a) => (
                  <li key={a.id}>
                    <Sentiment score={a.score} />
                    <span className="title">{a.url ? <a href={a.url} target="_blank" rel="noreferrer noopener">{a.title}</a> : a.title}</span>
                    <span className="muted small">
                      {dateTime(a.publishedAt)} · relevance {a.relevance == null ? '—' : a.relevance.toFixed(2)} {a.modelVersion && <>· {a.modelVersion}</>}
                    </span>
                    {a.story && a.story.articles.length > 1 && (
                      <span className="muted small" data-testid="story-sources" title={a.story.articles.map((x) => `${x.feed}: ${x.title}`).join('\n')}>
                        one story, {a.story.articles.length} sources (counted once): {[...new Set(a.story.articles.map((x) => x.feed))].join(', ')}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <h4>Features</h4>
            <JsonTable value={s.features} />
            <h4>Rule parameters</h4>
            <JsonTable value={s.params} />
          </div>
        )}
      </Status>
    </aside>
  );
}
