/**
 * The signed-in session: the API key (kept in sessionStorage only, never in a URL or
 * localStorage), the user it belongs to, and one live socket shared by every page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';
import { ApiError, openLiveSocket, request, setAuthLostHandler, type LiveSocket } from './graphql';

const STORAGE_KEY = 'tidings.apiKey';

export const MeDoc = graphql(`
  query Me {
    me {
      id
      email
      role
    }
  }
`);

export type Me = MeQuery['me'];

interface SessionValue {
  key: string;
  me: Me;
  isAdmin: boolean;
  socket: LiveSocket;
  signOut(message?: string): void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in session');
  return value;
}

/** Explains auth failures in words a person can act on. */
export function describeAuthError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'UNAUTHENTICATED') return `This API key does not work: ${err.message}`;
    if (err.code === 'NETWORK') return err.message;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

type State = { phase: 'checking' } | { phase: 'signedOut'; message?: string } | { phase: 'signedIn'; key: string; me: Me };

export function SessionProvider({ signIn, children }: { signIn: (props: { onKey: (key: string) => Promise<void>; message?: string }) => ReactNode; children: ReactNode }) {
  const [state, setState] = useState<State>(() => (sessionStorage.getItem(STORAGE_KEY) ? { phase: 'checking' } : { phase: 'signedOut' }));

  const signOut = useCallback((message?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setState({ phase: 'signedOut', message });
  }, []);

  const tryKey = useCallback(async (raw: string) => {
    const key = raw.trim();
    if (!key) throw new Error('Paste an API key first.');
    const { me } = await request(key, MeDoc);
    sessionStorage.setItem(STORAGE_KEY, key);
    setState({ phase: 'signedIn', key, me });
  }, []);

  useEffect(() => {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (!stored) return;
    tryKey(stored).catch((err) => signOut(describeAuthError(err)));
  }, [tryKey, signOut]);

  const key = state.phase === 'signedIn' ? state.key : null;
  const socket = useMemo(() => (key ? openLiveSocket(key) : null), [key]);
  useEffect(() => () => socket?.dispose(), [socket]);

  // A refused socket (revoked key, 4401/4403) or an UNAUTHENTICATED answer ends the session at once.
  const [lost, setLost] = useState<string | null>(null);
  useEffect(() => {
    setAuthLostHandler((reason) => setLost(reason));
    return () => setAuthLostHandler(() => undefined);
  }, []);
  useEffect(() => {
    if (lost && state.phase === 'signedIn') {
      signOut(`Signed out: ${lost}. Your live view has stopped; sign in with a valid key.`);
    }
    if (lost) setLost(null);
  }, [lost, state.phase, signOut]);

  const value = useMemo<SessionValue | null>(
    () => (state.phase === 'signedIn' && socket ? { key: state.key, me: state.me, isAdmin: state.me.role === 'ADMIN', socket, signOut } : null),
    [state, socket, signOut],
  );

  if (state.phase === 'checking') return <div className="centered muted" role="status">Checking your key…</div>;
  if (state.phase === 'signedOut' || !value) return <>{signIn({ onKey: tryKey, message: state.phase === 'signedOut' ? state.message : undefined })}</>;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
