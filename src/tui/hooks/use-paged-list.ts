// A list whose rows come from the services a page at a time: the window reducer decides what is on
// screen, and only the pages under it (plus one either side) are fetched. Rows not loaded yet are
// undefined, so a key press always renders at once and the data fills in.
import { useEffect, useReducer, useRef, useState } from 'react';
import { errorText } from './use-async.js';
import { initialWindow, listReducer, pagesFor, type ListAction, type ListWindow } from '../state/list-window.js';

export interface PagedSource<T> {
  /** Changes when the query changes: the list starts again at the top. */
  key: string;
  count(): Promise<number>;
  page(offset: number, limit: number): Promise<T[]>;
}

export interface PagedList<T> {
  window: ListWindow;
  dispatch: (a: ListAction) => void;
  /** Rows offset…offset+height-1 (undefined while loading). */
  rows: (T | undefined)[];
  selected: T | undefined;
  counting: boolean;
  error: string | undefined;
}

export const PAGE_SIZE = 100;

/** `refresh` bumps reload the same query in place (the cursor stays). */
export function usePagedList<T>(source: PagedSource<T>, height: number, refresh: number): PagedList<T> {
  const [window, dispatch] = useReducer(listReducer, height, initialWindow);
  const cache = useRef(new Map<number, T[]>());
  const pending = useRef(new Set<number>());
  const generation = useRef(0);
  const [, setVersion] = useState(0);
  const [counting, setCounting] = useState(true);
  const [error, setError] = useState<string>();
  const lastKey = useRef<string | undefined>(undefined);
  const sourceRef = useRef(source);
  sourceRef.current = source;

  useEffect(() => dispatch({ type: 'resize', height }), [height]);

  useEffect(() => {
    const gen = ++generation.current;
    const sameQuery = lastKey.current === source.key;
    lastKey.current = source.key;
    cache.current = new Map();
    pending.current = new Set();
    setCounting(true);
    setError(undefined);
    if (!sameQuery) dispatch({ type: 'reset', total: 0 });
    source.count().then(
      (total) => {
        if (gen !== generation.current) return;
        dispatch({ type: 'total', total });
        setCounting(false);
        setVersion((v) => v + 1);
      },
      (err) => {
        if (gen !== generation.current) return;
        setCounting(false);
        setError(errorText(err));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source.key, refresh]);

  useEffect(() => {
    if (counting || error) return;
    const gen = generation.current;
    const start = Math.max(0, window.offset - window.height);
    const end = Math.min(window.total, window.offset + 2 * window.height);
    for (const p of pagesFor(start, end, PAGE_SIZE)) {
      if (cache.current.has(p) || pending.current.has(p)) continue;
      pending.current.add(p);
      sourceRef.current.page(p * PAGE_SIZE, PAGE_SIZE).then(
        (rows) => {
          if (gen !== generation.current) return;
          pending.current.delete(p);
          cache.current.set(p, rows);
          setVersion((v) => v + 1);
        },
        (err) => {
          if (gen !== generation.current) return;
          pending.current.delete(p);
          setError(errorText(err));
        },
      );
    }
  });

  const rowAt = (i: number): T | undefined => cache.current.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
  const rows: (T | undefined)[] = [];
  for (let i = window.offset; i < Math.min(window.offset + window.height, window.total); i++) rows.push(rowAt(i));
  return { window, dispatch, rows, selected: window.total ? rowAt(window.cursor) : undefined, counting, error };
}
