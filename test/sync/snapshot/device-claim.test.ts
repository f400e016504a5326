// Which writes under this device id another library made (pure; the end-to-end case is
// test/cli/sync-copied-library.test.ts).
import { describe, expect, it } from 'vitest';
import { foreignWrites } from '../../../src/sync/snapshot/device-claim.js';
import { buildHistory } from '../../../src/sync/snapshot/history.js';
import { DEVICES, manifest, sid } from './fake-manifests.js';

const me = DEVICES.A!;
// S1 and S2 by A (S2 this library's last own write), S3 by B, S4 by A again: another library.
const history = buildHistory([manifest(1, []), manifest(2, [1]), manifest(3, [2], 'B')]);

describe('foreignWrites', () => {
  it("finds nothing without a record of this library's own writes (a library from before the record, or one that never wrote)", () => {
    expect(foreignWrites(history, [sid(9)], me, undefined)).toEqual([]);
  });

  it("treats this library's own last write and anything older as its own", () => {
    expect(foreignWrites(history, [sid(1), sid(2)], me, sid(2))).toEqual([]);
  });

  it('ignores newer snapshots by other devices', () => {
    expect(foreignWrites(history, [], me, sid(2))).toEqual([]);
  });

  it('reports a newer snapshot by this device id, and a newer base marker under it, oldest first', () => {
    const later = buildHistory([...history.byId.values(), manifest(4, [3], 'A')]);
    expect(foreignWrites(later, [sid(3)], me, sid(2))).toEqual([
      { kind: 'base marker', id: sid(3) },
      { kind: 'snapshot', id: sid(4), deviceName: 'A' },
    ]);
  });
});
