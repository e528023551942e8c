/** Operator pages (admin keys only): feeds, feature flags, API keys and users. */
import { useState, type FormEvent } from 'react';
import { graphql } from '../gql';
import type { Role } from '../gql/graphql';
import { useMutation, useQuery } from '../lib/use-query';
import { useSession } from '../lib/session';
import { dateTime } from '../lib/format';
import { Status } from '../components/Status';
import { TemporalHome, TemporalLink } from '../components/TemporalLink';

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

export function AdminOnly({ children }: { children: React.ReactNode }) {
  const { isAdmin } = useSession();
  if (!isAdmin)
    return (
      <section className="page">
        <div className="state error" role="alert" data-testid="admin-only">
          Operator pages are for admin keys only. Your key belongs to a user account.
        </div>
      </section>
    );
  return <>{children}</>;
}

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

const FlagsDoc = graphql(`
  query Flags {
    featureFlags {
      key
      enabled
      description
      updatedAt
      updatedBy
    }
    featureFlagAudit(first: 50) {
      id
      flagKey
      oldEnabled
      newEnabled
      changedAt
      changedBy
    }
    users {
      id
      email
    }
  }
`);
const ToggleFlagDoc = graphql(`
  mutation ToggleFlag($key: String!) {
    toggleFeatureFlag(key: $key) {
      key
      enabled
    }
  }
`);

export function Flags() {
  const q = useQuery(FlagsDoc, {});
  const toggle = useMutation(ToggleFlagDoc);
  const who = (id?: string | null) => (id ? (q.data?.users.find((u) => u.id === id)?.email ?? id.slice(0, 8)) : 'system');
  return (
    <section className="page">
      <header className="page-head">
        <h2>Feature flags</h2>
      </header>
      {toggle.error && <div className="state error" role="alert">{toggle.error}</div>}
      <Status loading={q.loading} error={q.error} empty={q.data?.featureFlags.length === 0} onRetry={q.reload}>
        <div className="panel">
          <ul className="flags">
            {q.data?.featureFlags.map((f) => (
              <li key={f.key} data-flag={f.key}>
                <label className="switch">
                  <input type="checkbox" role="switch" aria-label={f.key} checked={f.enabled} disabled={toggle.pending} onChange={() => toggle.run({ key: f.key }).then(q.reload)} />
                  <span />
                </label>
                <div>
                  <strong>{f.key}</strong> <span className={f.enabled ? 'pos' : 'muted'}>{f.enabled ? 'on' : 'off'}</span>
                  <div className="muted small">{f.description}</div>
                  <div className="muted small">
                    changed {dateTime(f.updatedAt)} by {who(f.updatedBy)}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </div>
        <div className="panel">
          <h3>Audit trail</h3>
          {q.data?.featureFlagAudit.length === 0 ? (
            <div className="state empty">No flag changes yet.</div>
          ) : (
            <table className="grid" data-testid="flag-audit">
              <thead>
                <tr>
                  <th>when</th>
                  <th>flag</th>
                  <th>change</th>
                  <th>who</th>
                </tr>
              </thead>
              <tbody>
                {q.data?.featureFlagAudit.map((a) => (
                  <tr key={a.id}>
                    <td className="muted">{dateTime(a.changedAt)}</td>
                    <td>{a.flagKey}</td>
                    <td>
                      {a.oldEnabled == null ? 'created' : a.oldEnabled ? 'on' : 'off'} → {a.newEnabled ? 'on' : 'off'}
                    </td>
                    <td>{who(a.changedBy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </Status>
    </section>
  );
}

const AccessDoc = graphql(`
  query Access {
    me {
      id
    }
    apiKeys {
      id
      name
      createdAt
      lastUsedAt
      expiresAt
      revokedAt
    }
    users {
      id
      email
      role
      active
      createdAt
    }
  }
`);
const UserKeysDoc = graphql(`
  query UserKeys($userId: ID!) {
    userApiKeys(userId: $userId) {
      id
      name
      createdAt
      lastUsedAt
      expiresAt
      revokedAt
    }
  }
`);
const CreateKeyDoc = graphql(`
  mutation CreateKey($name: String!) {
    createApiKey(name: $name) {
      key
      apiKey {
        id
      }
    }
  }
`);
const RevokeKeyDoc = graphql(`
  mutation RevokeKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);
const CreateUserDoc = graphql(`
  mutation CreateUser($email: String!, $password: String!, $role: Role!) {
    createUser(email: $email, password: $password, role: $role) {
      id
    }
  }
`);
const DeactivateUserDoc = graphql(`
  mutation DeactivateUser($id: ID!) {
    deactivateUser(id: $id) {
      id
      active
    }
  }
`);

type Key = { id: string; name: string; createdAt: string; lastUsedAt?: string | null; expiresAt?: string | null; revokedAt?: string | null };

function KeyTable({ keys, onRevoke }: { keys: Key[]; onRevoke: (id: string) => void }) {
  if (keys.length === 0) return <div className="state empty">No keys.</div>;
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>name</th>
          <th className="hide-sm">created</th>
          <th>last used</th>
          <th>state</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.id}>
            <td>{k.name}</td>
            <td className="hide-sm muted">{dateTime(k.createdAt)}</td>
            <td className="muted">{dateTime(k.lastUsedAt)}</td>
            <td>{k.revokedAt ? <span className="neg">revoked</span> : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? 'expired' : <span className="pos">active</span>}</td>
            <td>
              {!k.revokedAt && (
                <button type="button" className="danger" onClick={() => onRevoke(k.id)}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Access() {
  const q = useQuery(AccessDoc, {});
  const createKey = useMutation(CreateKeyDoc);
  const revoke = useMutation(RevokeKeyDoc);
  const createUser = useMutation(CreateUserDoc);
  const deactivate = useMutation(DeactivateUserDoc);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [keyName, setKeyName] = useState('');
  const [openUser, setOpenUser] = useState<string | null>(null);
  const [userForm, setUserForm] = useState({ email: '', password: '', role: 'USER' as Role });
  const error = q.error ?? createKey.error ?? revoke.error ?? createUser.error ?? deactivate.error;
  const doRevoke = (id: string) => {
    if (confirm('Revoke this key? Anything using it stops at once.')) revoke.run({ id }).then(q.reload);
  };
  return (
    <section className="page">
      <header className="page-head">
        <h2>API keys and users</h2>
      </header>
      {error && q.data && <div className="state error" role="alert">{error}</div>}
      <Status loading={q.loading} error={q.data ? null : q.error} empty={!q.data} onRetry={q.reload}>
        <div className="panel">
          <h3>My keys</h3>
          <KeyTable keys={q.data?.apiKeys ?? []} onRevoke={doRevoke} />
          <form
            className="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await createKey.run({ name: keyName });
              if (r) {
                setNewKey(r.createApiKey.key);
                setKeyName('');
                q.reload();
              }
            }}
          >
            <input name="keyName" placeholder="new key name, e.g. laptop" value={keyName} onChange={(e) => setKeyName(e.target.value)} required />
            <button type="submit">Create key</button>
          </form>
          {newKey && (
            <div className="state ok" role="status">
              New key (shown once, copy it now): <code className="secret">{newKey}</code>
            </div>
          )}
        </div>
        <div className="panel">
          <h3>Users</h3>
          <table className="grid" data-testid="users">
            <thead>
              <tr>
                <th>email</th>
                <th>role</th>
                <th>state</th>
                <th className="hide-sm">created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.data?.users.map((u) => (
                <UserRow key={u.id} user={u} self={u.id === q.data?.me.id} open={openUser === u.id} onToggle={() => setOpenUser(openUser === u.id ? null : u.id)} onDeactivate={() => confirm(`Deactivate ${u.email}? Their keys stop working at once.`) && deactivate.run({ id: u.id }).then(q.reload)} onRevoke={doRevoke} />
              ))}
            </tbody>
          </table>
          <form
            className="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await createUser.run(userForm);
              if (r) {
                setUserForm({ email: '', password: '', role: 'USER' });
                q.reload();
              }
            }}
          >
            <input name="email" type="email" placeholder="email" value={userForm.email} onChange={(e) => setUserForm({ ...userForm, email: e.target.value })} required />
            <input name="password" type="password" placeholder="password (10+ chars)" minLength={10} value={userForm.password} onChange={(e) => setUserForm({ ...userForm, password: e.target.value })} required />
            <select name="role" value={userForm.role} onChange={(e) => setUserForm({ ...userForm, role: e.target.value as Role })}>
              <option value="USER">user</option>
              <option value="ADMIN">admin</option>
            </select>
            <button type="submit">Create user</button>
          </form>
        </div>
      </Status>
    </section>
  );
}

function UserRow({ user, self, open, onToggle, onDeactivate, onRevoke }: { user: { id: string; email: string; role: Role; active: boolean; createdAt: string }; self: boolean; open: boolean; onToggle: () => void; onDeactivate: () => void; onRevoke: (id: string) => void }) {
  const keys = useQuery(UserKeysDoc, { userId: user.id }, { skip: !open });
  return (
    <>
      <tr>
        <td>
          {user.email} {self && <span className="muted small">(you)</span>}
        </td>
        <td>{user.role}</td>
        <td>{user.active ? <span className="pos">active</span> : <span className="neg">deactivated</span>}</td>
        <td className="hide-sm muted">{dateTime(user.createdAt)}</td>
        <td className="actions">
          <button type="button" onClick={onToggle} aria-expanded={open}>
            Keys
          </button>
          {user.active && !self && (
            <button type="button" className="danger" onClick={onDeactivate}>
              Deactivate
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="sub">
          <td colSpan={5}>
            <Status loading={keys.loading} error={keys.error} empty={!keys.data}>
              <KeyTable keys={keys.data?.userApiKeys ?? []} onRevoke={(id) => (onRevoke(id), setTimeout(keys.reload, 300))} />
            </Status>
          </td>
        </tr>
      )}
    </>
  );
}
