/** A user's API keys, with revoke for the live ones. */
import { dateTime } from '../../lib/format';

export type Key = { id: string; name: string; createdAt: string; lastUsedAt?: string | null; expiresAt?: string | null; revokedAt?: string | null };

export function KeyTable({ keys, onRevoke }: { keys: Key[]; onRevoke: (id: string) => void }) {
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
