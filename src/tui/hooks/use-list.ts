// A list of rows already in memory (systems, file sets, files: small) over the window reducer.
import { useEffect, useReducer, useRef } from 'react';
import { initialWindow, listReducer, type ListAction, type ListWindow } from '../state/list-window.js';
import { useRemembered } from './screen-memory.js';

export interface ListMemoryOptions<T> {
  /** Remember the cursor under this slot of the screen (screen-memory.ts): back lands on it again. */
  remember?: string;
  /** The row's identity: going back re-selects that row even if it moved. */
  idOf?: (row: T) => string;
}

interface Remembered {
  cursor: number;
  offset: number;
  id?: string;
}

export function useList<T>(
  items: readonly T[] | undefined,
  height: number,
  opts: ListMemoryOptions<T> = {},
): { window: ListWindow; dispatch: (a: ListAction) => void; rows: T[]; selected: T | undefined } {
  const [window, rawDispatch] = useReducer(listReducer, height, initialWindow);
  const total = items?.length ?? 0;
  const memory = useRemembered<Remembered>(opts.remember);
  const pending = useRef(memory.initial);
  useEffect(() => rawDispatch({ type: 'resize', height }), [height]);
  useEffect(() => rawDispatch({ type: 'total', total }), [total]);
  // The remembered place is restored as soon as the rows it points into are there — during render
  // (React renders again before committing), so no frame and no key ever sees the first row instead.
  const back = pending.current;
  if (back && items && total > 0) {
    pending.current = undefined;
    const found = back.id !== undefined && opts.idOf ? items.findIndex((r) => opts.idOf!(r) === back.id) : -1;
    const cursor = found >= 0 ? found : back.cursor;
    rawDispatch({ type: 'total', total });
    rawDispatch({ type: 'resize', height });
    rawDispatch({ type: 'restore', cursor, offset: back.offset + (cursor - back.cursor) });
  }
  const selected = items?.[window.cursor];
  useEffect(() => {
    if (pending.current || !items) return; // not restored yet: keep what is remembered
    memory.save({ cursor: window.cursor, offset: window.offset, id: selected !== undefined && opts.idOf ? opts.idOf(selected) : undefined });
  });
  // A key can arrive before the effects above ran for the rows on screen: bring the window up to
  // date with what is rendered first, then apply the action.
  const dispatch = (a: ListAction) => {
    rawDispatch({ type: 'total', total });
    rawDispatch({ type: 'resize', height });
    rawDispatch(a);
  };
  const rows = items ? items.slice(window.offset, window.offset + window.height) : [];
  return { window, dispatch, rows, selected };
}
