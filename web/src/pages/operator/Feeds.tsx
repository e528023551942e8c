/** Feeds: each RSS/Atom source's health, pause/resume, poll now, and adding a feed. */
import { useState, type FormEvent } from 'react';
import { graphql } from '../../gql';
import { useMutation, useQuery } from '../../lib/use-query';
import { dateTime } from '../../lib/format';
import { Status } from '../../components/Status';
import { TemporalHome, TemporalLink } from '../../components/TemporalLink';

const FeedsDoc = graphql(`
  query Feeds {
    feeds {
      id
      name
      url
      paused
      pollIntervalSeconds
      lastPolledAt
      lastSuccessAt
      nextPollAt
      lastError
      lastErrorAt
      consecutiveFailures
      articlesIngested
    }
  }
`);
const PauseFeedDoc = graphql(`
  mutation PauseFeed($id: ID!) {
    pauseFeed(id: $id) {
      id
      paused
    }
  }
`);
const ResumeFeedDoc = graphql(`
  mutation ResumeFeed($id: ID!) {
    resumeFeed(id: $id) {
      id
      paused
    }
  }
`);
const PollNowDoc = graphql(`
  mutation PollFeedNow($id: ID!) {
    ingestFeedNow(id: $id)
  }
`);
const AddFeedDoc = graphql(`
  mutation AddFeed($input: AddFeedInput!) {
    addFeed(input: $input) {
      id
    }
  }
`);

function feedHealth(f: { paused: boolean; consecutiveFailures: number; lastSuccessAt?: string | null }) {
  if (f.paused) return ['paused', 'paused'];
  if (f.consecutiveFailures > 0) return ['failing', `failing (${f.consecutiveFailures}×)`];
  if (!f.lastSuccessAt) return ['pending', 'not polled yet'];
  return ['ok', 'healthy'];
}

export function Feeds() {
  const q = useQuery(FeedsDoc, {});
  const pause = useMutation(PauseFeedDoc);
  const resume = useMutation(ResumeFeedDoc);
  const poll = useMutation(PollNowDoc);
  const add = useMutation(AddFeedDoc);
  const [polled, setPolled] = useState<Record<string, string>>({});
  const [form, setForm] = useState({ name: '', url: '', pollIntervalSeconds: '900' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add.run({ input: { name: form.name, url: form.url, pollIntervalSeconds: Number(form.pollIntervalSeconds) } });
    if (r) {
      setForm({ name: '', url: '', pollIntervalSeconds: '900' });
      q.reload();
    }
  };
  const error = q.error ?? pause.error ?? resume.error ?? poll.error;
  return (
    <section className="page">
      <header className="page-head">
        <h2>Feeds</h2>
        <button type="button" onClick={q.reload}>
          Refresh
        </button>
        <span className="spacer" />
        <TemporalHome />
      </header>
      {error && q.data && <div className="state error" role="alert">{error}</div>}
      <Status loading={q.loading} error={q.data ? null : q.error} empty={q.data?.feeds.length === 0} emptyText="No feeds yet: add one below." onRetry={q.reload}>
        <div className="cards">
          {q.data?.feeds.map((f) => {
            const [cls, label] = feedHealth(f);
            return (
              <article className="panel feed" key={f.id} data-testid="feed">
                <header>
                  <h3>{f.name}</h3>
                  <span className={`health ${cls}`}>{label}</span>
                </header>
                <p className="muted small url">{f.url}</p>
                <dl>
                  <dt>every</dt>
                  <dd>{Math.round(f.pollIntervalSeconds / 60)} min</dd>
                  <dt>last success</dt>
                  <dd>{dateTime(f.lastSuccessAt)}</dd>
                  <dt>last poll</dt>
                  <dd>{dateTime(f.lastPolledAt)}</dd>
                  <dt>next poll</dt>
                  <dd data-testid="next-poll">{f.paused ? 'paused' : dateTime(f.nextPollAt)}</dd>
                  <dt>articles</dt>
                  <dd>{f.articlesIngested}</dd>
                  {f.lastError && (
                    <>
                      <dt>last error</dt>
                      <dd className="neg">
                        {f.lastError} <span className="muted small">({dateTime(f.lastErrorAt)})</span>
                      </dd>
                    </>
                  )}
                </dl>
                <footer>
                  {f.paused ? (
                    <button type="button" onClick={() => resume.run({ id: f.id }).then(q.reload)}>
                      Resume
                    </button>
                  ) : (
                    <button type="button" onClick={() => pause.run({ id: f.id }).then(q.reload)}>
                      Pause
                    </button>
                  )}
                  <button
                    type="button"
                    onClick={async () => {
                      const r = await poll.run({ id: f.id });
                      if (r) setPolled((p) => ({ ...p, [f.id]: r.ingestFeedNow }));
                    }}
                  >
                    Poll now
                  </button>
                  <TemporalLink scheduleId={`feed-${f.id}`}>schedule</TemporalLink>
                  {polled[f.id] && <TemporalLink workflowId={polled[f.id]}>poll workflow</TemporalLink>}
                </footer>
              </article>
            );
          })}
        </div>
      </Status>
      <form className="panel form inline" onSubmit={submit} aria-label="Add feed">
        <h3>Add a feed</h3>
        <div className="fields">
          <label>
            Name <input name="feedName" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
          </label>
          <label className="grow">
            URL <input name="feedUrl" type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} required />
          </label>
          <label>
            Every (s) <input name="pollIntervalSeconds" type="number" min="60" value={form.pollIntervalSeconds} onChange={(e) => setForm({ ...form, pollIntervalSeconds: e.target.value })} />
          </label>
        </div>
        {add.error && <div className="state error" role="alert">{add.error}</div>}
        <button type="submit" className="primary" disabled={add.pending}>
          Add feed
        </button>
      </form>
    </section>
  );
}
