/** Access: users and their API keys (create, revoke, deactivate). */
import { useState } from 'react';
import { graphql } from '../../gql';
import type { Role } from '../../gql/graphql';
import { useMutation, useQuery } from '../../lib/use-query';
import { dateTime } from '../../lib/format';
import { Status } from '../../components/Status';
import { KeyTable } from './KeyTable';

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
