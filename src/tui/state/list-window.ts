// A scrollable list as a reducer over plain numbers: cursor (selected row), offset (first visible
// row), height (visible rows), total (rows in the list). Rendering takes rows offset…offset+height-1
// only, so a list of 100k rows costs what a screenful costs.
export interface ListWindow {
  total: number;
  cursor: number;
  offset: number;
  height: number;
}

export type ListAction =
  | { type: 'move'; by: number }
  | { type: 'page'; by: 1 | -1 }
  | { type: 'top' }
  | { type: 'bottom' }
  | { type: 'resize'; height: number }
  | { type: 'total'; total: number }
  | { type: 'reset'; total?: number }
  /** Back to a remembered place (going back to a screen). */
  | { type: 'restore'; cursor: number; offset: number };

export function initialWindow(height: number, total = 0): ListWindow {
  return clamp({ total, cursor: 0, offset: 0, height: Math.max(1, height) });
}

/** Keep the cursor inside the list and the window around the cursor. */
function clamp(w: ListWindow): ListWindow {
  const height = Math.max(1, w.height);
  const total = Math.max(0, w.total);
  const cursor = total === 0 ? 0 : Math.min(Math.max(0, w.cursor), total - 1);
  let offset = Math.min(Math.max(0, w.offset), Math.max(0, total - height));
  if (cursor < offset) offset = cursor;
  if (cursor >= offset + height) offset = cursor - height + 1;
  return { total, cursor, offset, height };
}

export function listReducer(w: ListWindow, a: ListAction): ListWindow {
  switch (a.type) {
    case 'move':
      return clamp({ ...w, cursor: w.cursor + a.by });
    case 'page':
      return clamp({ ...w, cursor: w.cursor + a.by * w.height, offset: w.offset + a.by * w.height });
    case 'top':
      return clamp({ ...w, cursor: 0, offset: 0 });
    case 'bottom':
      return clamp({ ...w, cursor: w.total - 1, offset: w.total });
    case 'resize':
      return clamp({ ...w, height: a.height });
    case 'total':
      return clamp({ ...w, total: a.total });
    case 'reset':
      return clamp({ ...w, total: a.total ?? w.total, cursor: 0, offset: 0 });
    case 'restore':
      return clamp({ ...w, cursor: a.cursor, offset: a.offset });
  }
}

/** Row indexes on screen: offset … min(offset+height, total) - 1. */
export function visibleRange(w: ListWindow): { start: number; end: number } {
  return { start: w.offset, end: Math.min(w.offset + w.height, w.total) };
}

/** Which fixed-size pages hold rows start…end-1 (to fetch only what the window shows). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const first = Math.floor(start / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}
