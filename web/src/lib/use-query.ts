import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '../gql/graphql';
import { request } from './graphql';
import { useSession } from './session';

export type QueryState<R> = { loading: boolean; data: R | null; error: string | null; reload: () => void };

/** Runs a typed query with the session's key; re-runs when the variables change. */
export function useQuery<R, V>(doc: TypedDocumentString<R, V>, variables: V, opts: { skip?: boolean } = {}): QueryState<R> {
  const { key } = useSession();
  const [state, setState] = useState<{ loading: boolean; data: R | null; error: string | null }>({ loading: !opts.skip, data: null, error: null });
  const [tick, setTick] = useState(0);
  const vars = JSON.stringify(variables);
  const seq = useRef(0);
  useEffect(() => {
    if (opts.skip) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    request(key, doc, JSON.parse(vars) as V).then(
      (data) => mine === seq.current && setState({ loading: false, data, error: null }),
      (err: Error) => mine === seq.current && setState((s) => ({ loading: false, data: s.data, error: err.message })),
    );
  }, [key, doc, vars, tick, opts.skip]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A mutation runner with its own pending/error state. */
export function useMutation<R, V>(doc: TypedDocumentString<R, V>) {
  const { key } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (variables: V): Promise<R | null> => {
      setPending(true);
      setError(null);
      try {
        return await request(key, doc, variables);
      } catch (err) {
        setError((err as Error).message);
        return null;
      } finally {
        setPending(false);
      }
    },
    [key, doc],
  );
  return { run, pending, error };
}
