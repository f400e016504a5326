import { describe, expect, it } from 'vitest';
import { COMMANDS, commandFor, GLOBAL_COMMANDS, keyName, SCREEN_COMMANDS, type Command } from '../../src/tui/keys.js';
import type { Key } from 'ink';
import { footerText } from '../../src/tui/components/Footer.js';

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

describe('key table', () => {
  it.each(Object.entries(SCREEN_COMMANDS))('binds no key to two commands on the %s screen', (_screen, commands) => {
    const seen = new Map<string, Command>();
    for (const c of commands as readonly Command[]) {
      for (const k of COMMANDS[c].keys) {
        expect(seen.get(k), `${k} is both ${seen.get(k)} and ${c}`).toBeUndefined();
        seen.set(k, c);
      }
    }
  });

  it('gives every global command its own keys', () => {
    const keys = GLOBAL_COMMANDS.flatMap((c) => [...COMMANDS[c].keys]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each([
    ['l', 'releases', 'open'],
    ['l', 'sync', 'pull'],
    ['l', 'merge', 'pickLocal'],
    ['c', 'merge', 'pickCloud'],
    ['d', 'releases', 'download'],
    ['D', 'releases', 'downloadAll'],
    ['x', 'fileSets', 'drop'],
    ['e', 'releases', 'export'],
    ['r', 'transfers', 'retry'],
    ['p', 'sync', 'push'],
    ['/', 'releases', 'search'],
    ['j', 'files', 'down'],
    ['k', 'files', 'up'],
  ] as const)('%s on the %s screen means %s', (key, screen, command) => {
    expect(commandFor(key, SCREEN_COMMANDS[screen])).toBe(command);
  });

  it('leaves h, q and esc to the app (back) on list screens', () => {
    for (const k of ['h', 'q', 'escape']) expect(commandFor(k, SCREEN_COMMANDS.releases)).toBeUndefined();
    expect(commandFor('q', GLOBAL_COMMANDS)).toBe('back');
  });

  it.each([
    [{ upArrow: true }, '', 'up'],
    [{ return: true }, '\r', 'enter'],
    [{ escape: true }, '', 'escape'],
    [{ pageDown: true }, '', 'pagedown'],
    [{ ctrl: true }, 'f', 'ctrl+f'],
    [{}, ' ', 'space'],
    [{}, 'G', 'G'],
    [{ tab: true }, '', 'tab'],
  ] as const)('names %j + %j as %s', (flags, input, name) => {
    expect(keyName(input, { ...noKey, ...flags })).toBe(name);
  });
});

describe('footer', () => {
  it('shows the key of every command, the / of search included (QA T5)', () => {
    const text = footerText(SCREEN_COMMANDS.releases, 200);
    expect(text).toContain('⏎ open  / search  f filter');
    expect(text).not.toMatch(/  search/);
  });
});
