import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeJoin, unsafeReason } from '../../src/store/archive-name.js';

describe('archive names', () => {
  it.each([
    ['../x', "'..'"],
    ['a/../../x', "'..'"],
    ['/etc/passwd', 'absolute'],
    ['C:evil', 'absolute'],
    ['a\\..\\b', 'backslash'],
    ['nul\u0000byte', 'control'],
    ['bell\u0007', 'control'],
    ['a//b', 'empty'],
    ['./a', 'empty or "."'],
    ['', 'empty'],
  ])('refuses %j', (name, reason) => {
    expect(unsafeReason(name)).toContain(reason);
    expect(() => safeJoin('/tmp/out', name)).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
  });

  it.each(['Game (USA).sfc', 'disc 1/track 01.bin', "Kirby's Dream Land (Europe) [!].gb", 'Pokémon – Édition Rouge.gb', '..hidden', 'a..b'])(
    'keeps %j inside the target folder',
    (name) => {
      expect(unsafeReason(name)).toBeUndefined();
      expect(safeJoin('/tmp/out', name).startsWith('/tmp/out' + path.sep)).toBe(true);
    },
  );
});
