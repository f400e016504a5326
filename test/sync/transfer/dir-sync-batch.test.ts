// DirSyncBatch: a row recording a rename never commits before the rename's directory was fsynced.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirSyncBatch } from '../../../src/sync/transfer/dir-sync-batch.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let db: Database.Database;
afterEach(() => {
  db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function open(): Database.Database {
  dir = tempDir('trove-dirsync-');
  db = new Database(path.join(dir, 'x.db'));
  db.exec('CREATE TABLE local (k TEXT PRIMARY KEY)');
  return db;
}
const rows = () => (db.prepare('SELECT k FROM local ORDER BY rowid').pluck().all() as string[]);
const insert = (k: string) => () => void db.prepare('INSERT INTO local (k) VALUES (?)').run(k);

/** A directory fsync the test releases by hand. */
function controlledSync() {
  const waiting = new Map<string, () => void>();
  const synced: string[] = [];
  return {
    synced,
    waiting,
    syncDir: (d: string) =>
      new Promise<void>((resolve) => {
        waiting.set(d, () => {
          synced.push(d);
          resolve();
        });
      }),
    release(d: string) {
      const r = waiting.get(d);
      waiting.delete(d);
      r?.();
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('DirSyncBatch', () => {
  it('commits the rows only after every directory touched before them was fsynced', async () => {
    open();
    const c = controlledSync();
    const batch = new DirSyncBatch(db, { syncDir: c.syncDir, intervalMs: 60_000 });
    batch.touched('/store/rom/aa');
    batch.add(insert('a'));
    batch.touched('/store/rom/bb');
    batch.add(insert('b'));
    const flushed = batch.flush();
    await tick();
    expect([...c.waiting.keys()].sort()).toEqual(['/store/rom/aa', '/store/rom/bb']);
    c.release('/store/rom/aa');
    await tick();
    expect(rows()).toEqual([]); // one directory still unsynced: nothing recorded
    c.release('/store/rom/bb');
    await flushed;
    expect(rows()).toEqual(['a', 'b']);
  });

  it('a directory touched after a flush began is synced by the next flush, before its rows', async () => {
    open();
    const c = controlledSync();
    const batch = new DirSyncBatch(db, { syncDir: c.syncDir, intervalMs: 60_000 });
    batch.touched('/d1');
    batch.add(insert('a'));
    const first = batch.flush();
    batch.touched('/d1'); // a second rename into the same folder while the first fsync runs
    batch.add(insert('b'));
    const second = batch.flush();
    await tick();
    c.release('/d1');
    await first;
    expect(rows()).toEqual(['a']);
    await tick();
    expect(c.waiting.has('/d1')).toBe(true); // synced again for 'b'
    c.release('/d1');
    await second;
    expect(rows()).toEqual(['a', 'b']);
    expect(c.synced).toEqual(['/d1', '/d1']);
  });

  it('a failed directory fsync records nothing, then or later, and flush rethrows it', async () => {
    open();
    let fail = true;
    const batch = new DirSyncBatch(db, {
      intervalMs: 60_000,
      syncDir: async () => {
        if (fail) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      },
    });
    batch.touched('/d');
    batch.add(insert('a'));
    await expect(batch.flush()).rejects.toThrow('EIO');
    fail = false;
    batch.add(insert('b'));
    await expect(batch.flush()).rejects.toThrow('EIO');
    expect(rows()).toEqual([]);
  });

  it('runs afterCommit callbacks only once their rows committed, and never after a failure', async () => {
    open();
    let fail = false;
    const seen: string[][] = [];
    const batch = new DirSyncBatch(db, {
      intervalMs: 60_000,
      syncDir: async () => {
        if (fail) throw new Error('EIO');
      },
    });
    batch.touched('/d');
    batch.add(insert('a'), () => seen.push(rows()));
    expect(seen).toEqual([]);
    await batch.flush();
    expect(seen).toEqual([['a']]);
    fail = true;
    batch.touched('/d');
    batch.add(insert('b'), () => seen.push(rows()));
    await expect(batch.flush()).rejects.toThrow('EIO');
    expect(seen).toEqual([['a']]);
  });

  it('syncs real directories (default fsync) and flushes on its own after the interval', async () => {
    open();
    const batch = new DirSyncBatch(db, { intervalMs: 5 });
    batch.touched(dir);
    batch.add(insert('a'));
    for (let i = 0; i < 100 && rows().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(rows()).toEqual(['a']);
    await batch.flush();
  });
});
