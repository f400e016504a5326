// A list whose rows come from the services a page at a time: the window reducer decides what is on
// screen, and only the pages under it (plus one either side) are fetched. Rows not loaded yet are
// undefined, so a key press always renders at once and the data fills in.
import { useEffect, useReducer, useRef, useState } from 'react';
import { useRemembered } from './screen-memory.js';
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

/**
 * `refresh` bumps reload the same query in place (the cursor stays). With `remember`, the cursor is
 * kept under that slot of the screen (screen-memory.ts) and restored when the same query is counted
 * again after going back.
 */
export function usePagedList<T>(source: PagedSource<T>, height: number, refresh: number, remember?: string): PagedList<T> {
  const [window, dispatch] = useReducer(listReducer, height, initialWindow);
  const memory = useRemembered<{ key: string; cursor: number; offset: number }>(remember);
  const pendingRestore = useRef(memory.initial);
  // Everything loaded belongs to one query+refresh token; rows of an older token are never shown,
  // even in the render between a query change and the effect that starts its loading.
  const token = `${source.key}#${refresh}`;
  const cache = useRef({ token, pages: new Map<number, T[]>() });
  const stale = useRef<{ key: string; pages: Map<number, T[]> }>(undefined);
  const pending = useRef(new Set<number>());
  const generation = useRef(0);
  const [, setVersion] = useState(0);
  const [counted, setCounted] = useState<string>();
  const [error, setError] = useState<{ token: string; text: string }>();
  const lastKey = useRef<string | undefined>(undefined);
  const sourceRef = useRef(source);
  sourceRef.current = source;

  useEffect(() => dispatch({ type: 'resize', height }), [height]);

  useEffect(() => {
    const gen = ++generation.current;
    const sameQuery = lastKey.current === source.key;
    lastKey.current = source.key;
    // A refresh of the same query keeps showing the old rows until the new ones arrive (no flicker).
    stale.current = sameQuery ? { key: source.key, pages: cache.current.pages } : undefined;
    cache.current = { token, pages: new Map() };
    pending.current = new Set();
    if (!sameQuery) dispatch({ type: 'reset', total: 0 });
    source.count().then(
      (total) => {
        if (gen !== generation.current) return;
        dispatch({ type: 'total', total });
        const back = pendingRestore.current;
        pendingRestore.current = undefined;
        if (back && back.key === source.key) dispatch({ type: 'restore', cursor: back.cursor, offset: back.offset });
        setCounted(token);
      },
      (err) => {
        if (gen !== generation.current) return;
        setError({ token, text: errorText(err) });
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source.key, refresh]);

  const counting = counted !== token;
  useEffect(() => {
    if (!counting && !pendingRestore.current) memory.save({ key: source.key, cursor: window.cursor, offset: window.offset });
  });
  const errorNow = error?.token === token ? error.text : undefined;
  const pages = cache.current.token === token ? cache.current.pages : new Map<number, T[]>();

  useEffect(() => {
    if (counting || errorNow || cache.current.token !== token) return;
    const gen = generation.current;
    const start = Math.max(0, window.offset - window.height);
    const end = Math.min(window.total, window.offset + 2 * window.height);
    for (const p of pagesFor(start, end, PAGE_SIZE)) {
      if (cache.current.pages.has(p) || pending.current.has(p)) continue;
      pending.current.add(p);
      sourceRef.current.page(p * PAGE_SIZE, PAGE_SIZE).then(
        (rows) => {
          if (gen !== generation.current) return;
          pending.current.delete(p);
          cache.current.pages.set(p, rows);
          setVersion((v) => v + 1);
        },
        (err) => {
          if (gen !== generation.current) return;
          pending.current.delete(p);
          setError({ token, text: errorText(err) });
        },
      );
    }
  });

  const fallback = stale.current?.key === source.key ? stale.current.pages : undefined;
  const rowAt = (i: number): T | undefined => {
    const p = Math.floor(i / PAGE_SIZE);
    return (pages.get(p) ?? fallback?.get(p))?.[i % PAGE_SIZE];
  };
  const rows: (T | undefined)[] = [];
  for (let i = window.offset; i < Math.min(window.offset + window.height, window.total); i++) rows.push(rowAt(i));
  // Until the count for this token arrives, the window still holds the old total: show nothing.
  const blank = counting && !fallback;
  return { window, dispatch, rows: blank ? [] : rows, selected: blank || !window.total ? undefined : rowAt(window.cursor), counting: blank, error: errorNow };
}
