import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/store/library.js';
import { fingerprintFile } from '../../../src/sync/snapshot/fingerprint.js';
import { detectLocalChanges } from '../../../src/sync/snapshot/local-changes.js';
import { takeSnapshot } from '../../../src/sync/snapshot/snapshot-writer.js';
import { setBase } from '../../../src/sync/snapshot/sync-state.js';
import { tempDir } from '../../helpers/cli.js';
import { addRelease } from './helpers.js';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function snapshotFile(lib: Library, out: string) {
  const snap = await takeSnapshot(lib);
  fs.copyFileSync(snap.database.path, out);
  await snap.cleanup();
  return createHash('sha1').update(fs.readFileSync(out)).digest('hex');
}

describe('content fingerprint', () => {
  it('is the same for the live database and its backup-API copy, and moves with any committed change', async () => {
    const { library: lib } = Library.init(path.join(root, 'a'));
    addRelease(lib, 'Alpha (USA)');
    const copySha1 = await snapshotFile(lib, path.join(root, 'copy.db'));
    lib.db.pragma('wal_checkpoint(TRUNCATE)');
    const live = await fingerprintFile(lib.paths.collectionDb);
    const copy = await fingerprintFile(path.join(root, 'copy.db'));
    expect(live.fingerprint).toBe(copy.fingerprint);
    expect(copySha1).toBe(copy.fingerprint); // snapshots carry a canonical header: sha1 = fingerprint
    expect(createHash('sha1').update(fs.readFileSync(lib.paths.collectionDb)).digest('hex')).not.toBe(copySha1); // the live header differs
    addRelease(lib, 'Beta (USA)');
    lib.db.pragma('wal_checkpoint(TRUNCATE)');
    expect((await fingerprintFile(lib.paths.collectionDb)).fingerprint).not.toBe(live.fingerprint);
    lib.close();
  });

  it('stays put when the database is only opened and read', async () => {
    const { library: lib } = Library.init(path.join(root, 'b'));
    addRelease(lib, 'Alpha (USA)');
    lib.close();
    const before = await fingerprintFile(path.join(root, 'b', 'collection.db'));
    const again = Library.open(path.join(root, 'b'));
    again.db.prepare('SELECT * FROM release').all();
    again.close();
    const ro = new Database(path.join(root, 'b', 'collection.db'));
    ro.pragma('journal_mode = WAL');
    ro.close();
    expect((await fingerprintFile(path.join(root, 'b', 'collection.db'))).fingerprint).toBe(before.fingerprint);
  });
});

describe('detectLocalChanges', () => {
  it('sees an uncheckpointed change sitting in the WAL, by hash and by stamp', async () => {
    const { library: lib } = Library.init(path.join(root, 'c'));
    addRelease(lib, 'Alpha (USA)');
    lib.db.pragma('wal_checkpoint(TRUNCATE)');
    const { fingerprint } = await fingerprintFile(lib.paths.collectionDb);
    setBase(lib.state, { snapshotId: null, dbSha1: null, fingerprint });
    expect(await detectLocalChanges(lib)).toMatchObject({ changed: false, method: 'hash' });
    // Pretend the stamp was confirmed long after the last write: the fast path answers.
    lib.state.prepare('UPDATE sync_base SET confirmed_at_ms = confirmed_at_ms + 10000').run();
    expect(await detectLocalChanges(lib)).toMatchObject({ changed: false, method: 'stamp' });
    lib.db.prepare("UPDATE release SET name = 'Alpha (Europe)'").run();
    expect(await detectLocalChanges(lib)).toMatchObject({ changed: true, method: 'hash' });
    lib.close();
  });

  it('counts a fresh, empty library as unchanged and one with rows as changed before any sync', async () => {
    const { library: lib } = Library.init(path.join(root, 'd'));
    expect(await detectLocalChanges(lib)).toMatchObject({ changed: false, method: 'no-base' });
    addRelease(lib, 'Alpha (USA)');
    expect(await detectLocalChanges(lib)).toMatchObject({ changed: true, method: 'no-base' });
    lib.close();
  });
});
