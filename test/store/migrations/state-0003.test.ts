import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../src/store/migrations/migration.js';
import { s0001Initial } from '../../../src/store/migrations/state/0001-initial.js';
import { STATE_MIGRATIONS } from '../../../src/store/migrations/state/index.js';
import { tempDir } from '../../helpers/cli.js';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('state.db migration 3 (database sync)', () => {
  it('adds the sync tables to a v1 state.db and keeps its rows', () => {
    const file = path.join(root, 'state.db');
    const db = new Database(file);
    migrate(db, [s0001Initial], file);
    db.prepare("INSERT INTO device (id, name, created_at) VALUES ('d', 'laptop', 'now')").run();
    db.prepare("INSERT INTO setting (key, value) VALUES ('remote', '{}')").run();
    expect(migrate(db, STATE_MIGRATIONS.filter((m) => m.version <= 3), file)).toEqual({ from: 1, to: 3 });
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT name FROM device').get()).toEqual({ name: 'laptop' });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['sync_base', 'sync_pending_replace', 'database_sync_log', 'backup', 'snapshot_manifest_cache']));
    expect(() => db.prepare("INSERT INTO database_sync_log (id, at, direction, outcome, message) VALUES ('x', 'now', 'sideways', 'ok', '')").run()).toThrow(/CHECK/);
    db.close();
  });
});
