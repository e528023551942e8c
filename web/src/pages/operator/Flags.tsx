/** Feature flags: toggle one, and the audit of who changed what. */
import { graphql } from '../../gql';
import { useMutation, useQuery } from '../../lib/use-query';
import { dateTime } from '../../lib/format';
import { Status } from '../../components/Status';

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
