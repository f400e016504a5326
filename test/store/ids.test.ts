import { describe, expect, it } from 'vitest';
import { deviceTag, nameId, uuidv7 } from '../../src/store/ids.js';
import { conflictName } from '../../src/sync/merge/unique-conflicts.js';

describe('ids', () => {
  it('UUIDv7s sort by creation time and carry version 7', () => {
    const a = uuidv7(Date.parse('2026-01-01T00:00:00Z'));
    const b = uuidv7(Date.parse('2026-01-01T00:00:01Z'));
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('nameId is a stable UUIDv5 of its parts', () => {
    expect(nameId('release', 's', 'A')).toBe(nameId('release', 's', 'A'));
    expect(nameId('release', 's', 'A')).not.toBe(nameId('release', 'sA', ''));
    expect(nameId('release', 's', 'A')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5/);
  });

  it('two devices set up in the same minute get different tags (the first digits of a UUIDv7 are its time; qa-b 12)', () => {
    const t = Math.floor(Date.now() / 65_536) * 65_536; // both inside one 65.536 s window
    const [a, b] = [uuidv7(t), uuidv7(t + 30_000)];
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
    expect(deviceTag(a)).not.toBe(deviceTag(b));
    expect(deviceTag(a)).toMatch(/^[0-9a-f]{8}$/);
    expect(conflictName('game.bin', a, true)).toBe(`game (conflict ${deviceTag(a)}).bin`);
  });
});
