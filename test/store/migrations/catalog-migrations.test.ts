import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../../src/store/library.js';
import { migrate, schemaVersion } from '../../../src/store/migrations/migration.js';
import { m0001Initial } from '../../../src/store/migrations/collection/0001-initial.js';
import { COLLECTION_MIGRATIONS } from '../../../src/store/migrations/collection/index.js';
import { s0001Initial } from '../../../src/store/migrations/state/0001-initial.js';
import { STATE_MIGRATIONS } from '../../../src/store/migrations/state/index.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const now = '2026-01-01T00:00:00.000Z';

describe('collection.db migration 2 (dat sources)', () => {
  it('adds dat_source, dat_game and dat_rom to a version-1 catalogue and keeps its rows', () => {
    db = openDatabase(path.join(dir, 'collection.db'), { mustExist: false });
    migrate(db, [m0001Initial], 'collection.db');
    db.prepare('INSERT INTO system VALUES (?, ?, ?, ?)').run('s1', 'Atari - 2600', now, now);
    db.prepare('INSERT INTO release (id, system_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run('r1', 's1', 'Combat (USA)', now, now);
    db.prepare("INSERT INTO file_set VALUES ('fs1', 'r1', 'rom', 'rom', ?, ?)").run(now, now);
    expect(schemaVersion(db)).toBe(1);

    migrate(db, COLLECTION_MIGRATIONS, 'collection.db');
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(2);
    expect(db.prepare('SELECT name FROM release').pluck().all()).toEqual(['Combat (USA)']);
    db.prepare(
      `INSERT INTO dat_source (id, system_id, name, format, file_name, file_sha1, games, roms, imported_at, created_at, updated_at)
       VALUES ('d1', 's1', 'Atari - 2600', 'clrmamepro', 'a.dat', ?, 1, 1, ?, ?, ?)`,
    ).run('0'.repeat(40), now, now, now);
    db.prepare("INSERT INTO dat_game VALUES ('g1', 'd1', 'r1', 'fs1', 'Combat (USA)', NULL, ?, ?)").run(now, now);
    db.prepare("INSERT INTO dat_rom (id, file_set_id, name, size, crc32, position, created_at, updated_at) VALUES ('x', 'fs1', 'c.a26', 2048, '12345678', 0, ?, ?)").run(now, now);
    // Deleting the release takes its DAT game and crc32-only roms along (ON DELETE CASCADE).
    db.prepare("DELETE FROM release WHERE id = 'r1'").run();
    expect(db.prepare('SELECT count(*) FROM dat_game').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM dat_rom').pluck().get()).toBe(0);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});

describe('collection.db migration 3 (file_sync_log.stored_bytes)', () => {
  it('adds stored_bytes to a version-2 catalogue: existing rows keep their state with the size unknown; a negative size is refused', () => {
    db = openDatabase(path.join(dir, 'collection.db'), { mustExist: false });
    migrate(db, COLLECTION_MIGRATIONS.filter((m) => m.version <= 2), 'collection.db');
    expect(schemaVersion(db)).toBe(2);
    db.prepare("INSERT INTO file_sync_log (file_sha1, type, state, attempts, created_at, updated_at) VALUES (?, 'rom', 'UploadCompleted', 1, ?, ?)").run('a'.repeat(40), now, now);
    migrate(db, COLLECTION_MIGRATIONS, 'collection.db');
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(3);
    expect(db.prepare('SELECT state, stored_bytes FROM file_sync_log').get()).toEqual({ state: 'UploadCompleted', stored_bytes: null });
    db.prepare('UPDATE file_sync_log SET stored_bytes = 123').run();
    expect(() => db.prepare('UPDATE file_sync_log SET stored_bytes = -1').run()).toThrow(/CHECK/);
  });
});

describe('state.db migration 5 (scan cache)', () => {
  it('adds scan_file to a version-1 state database and keeps the device', () => {
    db = openDatabase(path.join(dir, 'state.db'), { mustExist: false });
    migrate(db, [s0001Initial], 'state.db');
    db.prepare("INSERT INTO device (id, name, created_at) VALUES ('dev', 'box', ?)").run(now);
    migrate(db, STATE_MIGRATIONS, 'state.db');
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(5);
    expect(db.prepare('SELECT name FROM device').pluck().get()).toBe('box');
    db.prepare(
      `INSERT INTO scan_file (path, size, mtime_ns, fingerprint, sha1, crc32, md5, system_id, scanned_at) VALUES ('/x', 1, ?, 'f', ?, 'c', 'm', NULL, ?)`,
    ).run(1763790000123456789n, 'a'.repeat(40), now);
    expect(db.prepare('SELECT mtime_ns FROM scan_file').safeIntegers(true).pluck().get()).toBe(1763790000123456789n);
  });
});
