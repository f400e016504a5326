// Load something from the services and keep {data, error, loading}; reload on demand.
import { useCallback, useEffect, useRef, useState } from 'react';
import { isTroveError } from '../../store/errors.js';

/** What a person reads for a failure: a TroveError's message, or "internal error: …" for a bug. */
export function errorText(err: unknown): string {
  if (isTroveError(err)) return err.message;
  return `internal error: ${(err as Error)?.message ?? String(err)}`;
}

export interface AsyncState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const gen = useRef(0);
  useEffect(() => {
    const g = ++gen.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => g === gen.current && setState({ data, loading: false }),
      (err) => g === gen.current && setState({ error: errorText(err), loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
