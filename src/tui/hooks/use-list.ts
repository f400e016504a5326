// A list of rows already in memory (systems, file sets, files: small) over the window reducer.
import { useEffect, useReducer } from 'react';
import { initialWindow, listReducer, type ListAction, type ListWindow } from '../state/list-window.js';

export function useList<T>(items: readonly T[] | undefined, height: number): { window: ListWindow; dispatch: (a: ListAction) => void; rows: T[]; selected: T | undefined } {
  const [window, rawDispatch] = useReducer(listReducer, height, initialWindow);
  const total = items?.length ?? 0;
  useEffect(() => rawDispatch({ type: 'resize', height }), [height]);
  useEffect(() => rawDispatch({ type: 'total', total }), [total]);
  // A key can arrive before the effects above ran for the rows on screen: bring the window up to
  // date with what is rendered first, then apply the action.
  const dispatch = (a: ListAction) => {
    rawDispatch({ type: 'total', total });
    rawDispatch({ type: 'resize', height });
    rawDispatch(a);
  };
  const rows = items ? items.slice(window.offset, window.offset + window.height) : [];
  return { window, dispatch, rows, selected: items?.[window.cursor] };
}
