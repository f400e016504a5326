// A list of rows already in memory (systems, file sets, files: small) over the window reducer.
import { useEffect, useReducer } from 'react';
import { initialWindow, listReducer, type ListAction, type ListWindow } from '../state/list-window.js';

export function useList<T>(items: readonly T[] | undefined, height: number): { window: ListWindow; dispatch: (a: ListAction) => void; rows: T[]; selected: T | undefined } {
  const [window, dispatch] = useReducer(listReducer, height, initialWindow);
  const total = items?.length ?? 0;
  useEffect(() => dispatch({ type: 'resize', height }), [height]);
  useEffect(() => dispatch({ type: 'total', total }), [total]);
  const rows = items ? items.slice(window.offset, window.offset + window.height) : [];
  return { window, dispatch, rows, selected: items?.[window.cursor] };
}
