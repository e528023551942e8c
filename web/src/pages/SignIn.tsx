import { useState, type FormEvent } from 'react';
import { describeAuthError } from '../lib/session';

export function SignIn({ onKey, message }: { onKey: (key: string) => Promise<void>; message?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      await onKey(key);
    } catch (err) {
      setError(describeAuthError(err));
      setPending(false);
    }
  };
  return (
    <main className="signin">
      <form className="card" onSubmit={submit} aria-label="Sign in">
        <h1>
          <span className="logo">◆</span> Tidings
        </h1>
        <p className="muted">Financial news in, trading signals out. Sign in with an API key.</p>
        {message && (
          <div className="state error" role="alert" data-testid="signin-message">
            {message}
          </div>
        )}
        <label>
          API key
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="tdg_…"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoFocus
          />
        </label>
        {error && (
          <div className="state error" role="alert" data-testid="signin-error">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={pending || !key.trim()}>
          {pending ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          The key stays in this tab's session storage and is sent only to this server. Get one with{' '}
          <code>npm run cli -- create-admin</code> or the <code>createApiKey</code> mutation.
        </p>
      </form>
    </main>
  );
}
