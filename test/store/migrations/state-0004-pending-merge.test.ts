import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../src/store/migrations/migration.js';
import { STATE_MIGRATIONS } from '../../../src/store/migrations/state/index.js';
import { s0001Initial } from '../../../src/store/migrations/state/0001-initial.js';
import { chooseResolution, loadPendingMerge, savePendingMerge } from '../../../src/sync/merge/pending-merge.js';
import type { Conflict } from '../../../src/sync/merge/merge-types.js';
import { tempDir } from '../../helpers/cli.js';

const conflict = (id: string): Conflict => ({
  id,
  kind: 'field',
  table: 'release',
  key: 'r1',
  field: 'region',
  local: 'USA',
  remote: 'Europe',
  base: 'Japan',
  defaultSide: 'remote',
  defaultReason: 'cloud changed it later',
  resolution: 'remote',
  affected: [{ table: 'release', key: 'r1' }],
  label: 'SNES › ActRaiser (USA)',
});

describe('state.db migration 4 (pending merge)', () => {
  it('adds the pending merge tables to a version 1 state.db and keeps its rows', () => {
    const db = new Database(path.join(tempDir(), 'state.db'));
    migrate(db, [s0001Initial], 'state.db');
    db.prepare("INSERT INTO device (id, name, created_at) VALUES ('d1', 'laptop', 'x')").run();
    migrate(db, STATE_MIGRATIONS.filter((m) => m.version <= 4), 'state.db');
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare('SELECT name FROM device').pluck().get()).toBe('laptop');
    savePendingMerge(db, { id: 'm1', dir: '/tmp/x', baseLabel: 'b', remoteLabel: 'r', remoteDevice: 'd2', conflicts: [conflict('abc123'), conflict('abd456')] });
    expect(() => savePendingMerge(db, { id: 'm2', dir: '/tmp/y', baseLabel: 'b', remoteLabel: 'r', remoteDevice: 'd2', conflicts: [] })).toThrow(/already pending/);
    expect(chooseResolution(db, 'abd', 'local')).toBe('abd456');
    expect(() => chooseResolution(db, 'ab', 'local')).toThrow(/ambiguous/);
    const m = loadPendingMerge(db)!;
    expect(m.conflicts.map((c) => [c.id, c.chosenSide, c.defaultSide])).toEqual([
      ['abc123', null, 'remote'],
      ['abd456', 'local', 'remote'],
    ]);
    expect(m.conflicts[0]!.detail.label).toBe('SNES › ActRaiser (USA)');
    db.close();
  });
});
