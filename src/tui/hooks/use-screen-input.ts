// A screen's keys: resolve each key press against the screen's commands and hand the command over.
// Inactive screens and panes (an overlay is open, another pane has focus) receive nothing
// (see key-router.ts for why this is not a useInput per screen).
import { useKeys } from './key-router.js';
import { commandFor, keyName, type Command } from '../keys.js';

export function useScreenInput(commands: readonly Command[], onCommand: (c: Command) => void, isActive: boolean): void {
  useKeys((input, key) => {
    const c = commandFor(keyName(input, key), commands);
    if (c) onCommand(c);
  }, isActive);
}

/** The list-movement commands as list actions (shared by every list screen). */
export function listActionFor(c: Command): { type: 'move'; by: number } | { type: 'page'; by: 1 | -1 } | { type: 'top' } | { type: 'bottom' } | undefined {
  switch (c) {
    case 'up':
      return { type: 'move', by: -1 };
    case 'down':
      return { type: 'move', by: 1 };
    case 'pageUp':
      return { type: 'page', by: -1 };
    case 'pageDown':
      return { type: 'page', by: 1 };
    case 'top':
      return { type: 'top' };
    case 'bottom':
      return { type: 'bottom' };
    default:
      return undefined;
  }
}
