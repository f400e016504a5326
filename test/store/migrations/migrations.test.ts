import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion, type Migration } from '../../../src/store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../../src/store/migrations/collection/index.js';
import { STATE_MIGRATIONS } from '../../../src/store/migrations/state/index.js';
import { Library } from '../../../src/store/library.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
beforeEach(() => (dir = tempDir()));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const columns = (db: Database.Database, table: string) => (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);

describe('migration runner', () => {
  it('runs each pending migration in order, in its own transaction, and records user_version', () => {
    const db = new Database(path.join(dir, 'x.db'));
    const ran: number[] = [];
    const list: Migration[] = [
      { version: 1, name: 'a', up: (d) => (ran.push(1), d.exec('CREATE TABLE a (x)')) },
      { version: 2, name: 'b', up: (d) => (ran.push(2), d.exec('CREATE TABLE b (x)')) },
    ];
    expect(migrate(db, list, 'x.db')).toEqual({ from: 0, to: 2 });
    expect(migrate(db, list, 'x.db')).toEqual({ from: 2, to: 2 });
    expect(ran).toEqual([1, 2]);
    expect(schemaVersion(db)).toBe(2);
  });

  it('rolls back a failing migration entirely and keeps the previous version', () => {
    const db = new Database(path.join(dir, 'x.db'));
    const list: Migration[] = [
      { version: 1, name: 'a', up: (d) => d.exec('CREATE TABLE a (x)') },
      { version: 2, name: 'bad', up: (d) => (d.exec('CREATE TABLE b (x)'), d.exec('INSERT INTO nope VALUES (1)')) },
    ];
    expect(() => migrate(db, list, 'x.db')).toThrow(/nope/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
  });

  it('refuses a database from a newer version with SCHEMA_TOO_NEW and leaves it untouched', () => {
    const file = path.join(dir, 'new.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    expect(() => migrate(db, COLLECTION_MIGRATIONS, file)).toThrow(expect.objectContaining({ code: 'SCHEMA_TOO_NEW' }));
    expect(schemaVersion(db)).toBe(99);
  });
});

describe('collection.db migration 1 (from an empty database)', () => {
  it('creates the catalogue tables with the documented names and foreign keys', () => {
    const db = new Database(path.join(dir, 'c.db'));
    migrate(db, COLLECTION_MIGRATIONS.slice(0, 1), 'c.db');
    expect(schemaVersion(db)).toBe(1);
    expect(columns(db, 'release')).toEqual(expect.arrayContaining(['id', 'system_id', 'software_title_id', 'name', 'region', 'created_at', 'updated_at']));
    expect(columns(db, 'file_set')).toEqual(expect.arrayContaining(['id', 'release_id', 'type', 'name']));
    expect(columns(db, 'file')).toEqual(expect.arrayContaining(['sha1', 'size', 'crc32', 'md5']));
    expect(columns(db, 'file_set_file')).toEqual(expect.arrayContaining(['file_set_id', 'file_sha1', 'name', 'position']));
    expect(columns(db, 'file_sync_log')).toEqual(expect.arrayContaining(['file_sha1', 'state', 'attempts', 'last_error', 'created_at', 'updated_at']));
    const fks = db.pragma('foreign_key_list(release)') as { table: string; from: string }[];
    expect(fks.map((f) => `${f.from}->${f.table}`).sort()).toEqual(['software_title_id->software_title', 'system_id->system']);
    // The sha1 check refuses anything but 40 lowercase hex digits.
    expect(() =>
      db.prepare("INSERT INTO file (sha1, size, type, created_at, updated_at) VALUES ('ABC', 1, 'rom', 'x', 'x')").run(),
    ).toThrow(/CHECK/);
  });
});

describe('state.db migration 1 (from an empty database)', () => {
  it('creates device, setting and local_blob', () => {
    const db = new Database(path.join(dir, 's.db'));
    migrate(db, STATE_MIGRATIONS.slice(0, 1), 's.db');
    expect(columns(db, 'device')).toEqual(expect.arrayContaining(['id', 'name', 'created_at']));
    expect(columns(db, 'local_blob')).toEqual(expect.arrayContaining(['sha1', 'type', 'size', 'stored_bytes']));
    db.prepare("INSERT INTO device (id, name, created_at) VALUES ('a', 'one', 'x')").run();
    expect(() => db.prepare("INSERT INTO device (id, name, created_at) VALUES ('b', 'two', 'x')").run()).toThrow(/UNIQUE/);
  });
});

describe('Library', () => {
  it('keeps the device identity in state.db only, generated once, with WAL and foreign keys on', () => {
    const { library } = Library.init(dir, { deviceName: 'laptop' });
    const device = library.device();
    expect(device.name).toBe('laptop');
    expect(library.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(library.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (library.db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).not.toContain('device');
    expect(tables).not.toContain('setting');
    library.close();
    const again = Library.init(dir);
    expect(again.created).toBe(false);
    expect(again.library.device()).toEqual(device);
    again.library.close();
  });

  it('refuses to open a library written by a newer trove', () => {
    Library.init(dir).library.close();
    const db = new Database(path.join(dir, 'collection.db'));
    db.pragma('user_version = 42');
    db.close();
    expect(() => Library.open(dir)).toThrow(expect.objectContaining({ code: 'SCHEMA_TOO_NEW', message: expect.stringContaining('collection.db') }));
  });
});
