import { describe, expect, it } from 'vitest';
import { initialWindow, listReducer, pagesFor, visibleRange, type ListAction, type ListWindow } from '../../src/tui/state/list-window.js';

const w = (total: number, cursor: number, offset: number, height = 10): ListWindow => ({ total, cursor, offset, height });

describe('list window', () => {
  it.each<[string, ListWindow, ListAction, ListWindow]>([
    ['moves down inside the window', w(100, 0, 0), { type: 'move', by: 1 }, w(100, 1, 0)],
    ['scrolls when the cursor leaves the bottom', w(100, 9, 0), { type: 'move', by: 1 }, w(100, 10, 1)],
    ['scrolls when the cursor leaves the top', w(100, 5, 5), { type: 'move', by: -1 }, w(100, 4, 4)],
    ['stops at the first row', w(100, 0, 0), { type: 'move', by: -1 }, w(100, 0, 0)],
    ['stops at the last row', w(100, 99, 90), { type: 'move', by: 1 }, w(100, 99, 90)],
    ['pages down by a screen', w(100, 3, 0), { type: 'page', by: 1 }, w(100, 13, 10)],
    ['pages down no further than the end', w(100, 95, 90), { type: 'page', by: 1 }, w(100, 99, 90)],
    ['pages up to the top', w(100, 13, 10), { type: 'page', by: -1 }, w(100, 3, 0)],
    ['jumps to the end', w(100_000, 0, 0), { type: 'bottom' }, w(100_000, 99_999, 99_990)],
    ['jumps to the top', w(100, 50, 45), { type: 'top' }, w(100, 0, 0)],
    ['keeps the cursor visible when the window shrinks', w(100, 9, 0), { type: 'resize', height: 5 }, w(100, 9, 5, 5)],
    ['pulls the cursor in when the list shrinks', w(100, 80, 75), { type: 'total', total: 20 }, w(20, 19, 10)],
    ['handles an empty list', w(0, 0, 0), { type: 'move', by: 1 }, w(0, 0, 0)],
    ['resets to the top for a new query', w(100, 50, 45), { type: 'reset', total: 7 }, w(7, 0, 0)],
  ])('%s', (_name, before, action, after) => {
    expect(listReducer(before, action)).toEqual(after);
  });

  it('shows only the rows in the window', () => {
    expect(visibleRange(w(100_000, 500, 495))).toEqual({ start: 495, end: 505 });
    expect(visibleRange(w(3, 0, 0))).toEqual({ start: 0, end: 3 });
    expect(initialWindow(0).height).toBe(1);
  });

  it.each([
    [0, 10, 100, [0]],
    [95, 105, 100, [0, 1]],
    [200, 200, 100, []],
    [99_990, 100_000, 100, [999]],
  ])('rows %i…%i in pages of %i are on pages %j', (start, end, size, pages) => {
    expect(pagesFor(start, end, size)).toEqual(pages);
  });
});
