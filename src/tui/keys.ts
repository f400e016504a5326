// Every key the TUI understands, as named commands in one table. Screens say which commands they
// take (SCREEN_COMMANDS); a key resolves against that list, so one key can mean different things on
// different screens (`l`: open in the browser, pull on the sync screen, "take local" in a merge) but
// never two things on one screen (tested).
import type { Key } from 'ink';

export interface CommandSpec {
  keys: readonly string[];
  /** Short label for the footer. */
  label: string;
  /** Longer text for the help overlay. */
  help: string;
}

export const COMMANDS = {
  up: { keys: ['up', 'k'], label: 'up', help: 'move up' },
  down: { keys: ['down', 'j'], label: 'down', help: 'move down' },
  pageUp: { keys: ['pageup', 'ctrl+b'], label: 'pg up', help: 'page up' },
  pageDown: { keys: ['pagedown', 'ctrl+f'], label: 'pg down', help: 'page down' },
  top: { keys: ['home', 'g'], label: 'top', help: 'first row' },
  bottom: { keys: ['end', 'G'], label: 'end', help: 'last row' },
  open: { keys: ['enter', 'right', 'l'], label: 'open', help: 'open the selected row' },
  back: { keys: ['escape', 'left', 'h', 'q'], label: 'back', help: 'back (q on the first screen quits)' },
  quit: { keys: ['ctrl+c'], label: 'quit', help: 'quit' },
  help: { keys: ['?'], label: 'help', help: 'show or hide this help' },
  search: { keys: ['/'], label: 'search', help: 'search release names' },
  filter: { keys: ['f'], label: 'filter', help: 'cycle availability: all, local, cloud only, missing' },
  sort: { keys: ['s'], label: 'sort', help: 'sort by name or by size' },
  download: { keys: ['d'], label: 'download', help: 'download the selected release or file set' },
  downloadAll: { keys: ['D'], label: 'download all', help: 'download every file of this system' },
  drop: { keys: ['x'], label: 'drop', help: 'drop local copies that have a verified remote copy (asks first)' },
  export: { keys: ['e'], label: 'export', help: 'export the selected release or file set to a folder' },
  retry: { keys: ['r'], label: 'retry', help: 'retry the selected failed item / reload' },
  pause: { keys: ['space'], label: 'pause', help: 'pause or resume transfers' },
  upload: { keys: ['u'], label: 'upload', help: 'upload every file this device holds that the remote lacks' },
  cancelQueued: { keys: ['c'], label: 'cancel queued', help: 'cancel the queued downloads, as `trove download --cancel` (asks first; downloads in flight finish)' },
  push: { keys: ['p'], label: 'push', help: 'push this database as a snapshot' },
  pull: { keys: ['l'], label: 'pull', help: 'pull the newest snapshot' },
  diff: { keys: ['v'], label: 'diff', help: 'view the diff from this database to the head (sync) or to the selected backup (backups)' },
  merge: { keys: ['m'], label: 'merge', help: 'open the pending merge' },
  expand: { keys: ['enter', 'right'], label: 'expand', help: 'show or hide the fields of an entity' },
  pickLocal: { keys: ['l'], label: 'local', help: 'take the local side of this clash' },
  pickCloud: { keys: ['c'], label: 'cloud', help: 'take the cloud side of this clash' },
  apply: { keys: ['a'], label: 'apply', help: 'apply the merge (asks first)' },
  restore: { keys: ['enter'], label: 'restore', help: 'restore the selected point (asks first)' },
  switchPane: { keys: ['tab'], label: 'pane', help: 'switch between backups and snapshots' },
  edit: { keys: ['enter'], label: 'edit', help: 'change the selected setting' },
  browse: { keys: ['1'], label: 'browse', help: 'the collection browser' },
  transfers: { keys: ['2'], label: 'transfers', help: 'the transfer queue' },
  sync: { keys: ['3'], label: 'sync', help: 'sync status, push and pull' },
  backups: { keys: ['4'], label: 'backups', help: 'backups and snapshots' },
  settings: { keys: ['5'], label: 'settings', help: 'device, remote, concurrency' },
} as const satisfies Record<string, CommandSpec>;

export type Command = keyof typeof COMMANDS;

const LIST: Command[] = ['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom'];
/** Keys every screen takes (handled by the app, not the screen). */
export const GLOBAL_COMMANDS: Command[] = ['back', 'quit', 'help', 'browse', 'transfers', 'sync', 'backups', 'settings'];

export const SCREEN_COMMANDS = {
  systems: [...LIST, 'open', 'downloadAll'],
  releases: [...LIST, 'open', 'search', 'filter', 'sort', 'download', 'downloadAll', 'drop', 'export'],
  fileSets: [...LIST, 'open', 'download', 'drop', 'export'],
  files: [...LIST],
  transfers: [...LIST, 'retry', 'pause', 'upload', 'cancelQueued'],
  sync: ['push', 'pull', 'diff', 'merge', 'retry'],
  diff: [...LIST, 'expand'],
  merge: [...LIST, 'pickLocal', 'pickCloud', 'apply'],
  backups: [...LIST, 'restore', 'switchPane', 'diff'],
  settings: [...LIST, 'edit'],
} as const satisfies Record<string, readonly Command[]>;

export type ScreenKind = keyof typeof SCREEN_COMMANDS;

/** Ink's (input, key) as one name: 'up', 'enter', 'ctrl+f', 'G', '/'. */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (input === ' ') return 'space';
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  return input;
}

/** The command a key means among `commands` (first match wins; the table test rules out overlaps). */
export function commandFor(name: string, commands: readonly Command[]): Command | undefined {
  return commands.find((c) => (COMMANDS[c].keys as readonly string[]).includes(name));
}

/** Commands a screen shows in its footer: its own, then the global ones. */
export function footerCommands(screen: ScreenKind): Command[] {
  return [...SCREEN_COMMANDS[screen], 'back', 'help'];
}

const GLYPH: Record<string, string> = { up: '↑', down: '↓', left: '←', right: '→', enter: '⏎', escape: 'esc', space: 'space', tab: 'tab' };

/** One key as a person reads it: '↑', '⏎', '/', 'ctrl+c'. */
export function keyGlyph(k: string): string {
  return GLYPH[k] ?? k;
}

/** "↑/k" — a command's keys as a person types them. */
export function keysLabel(c: Command): string {
  return COMMANDS[c].keys.map(keyGlyph).join('/');
}
