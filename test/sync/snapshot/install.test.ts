// Installing a snapshot pushed by an older trove (an older schema): it is migrated in tmp/ before it
// takes collection.db's place, and the base records the migrated content, so the device that pulled it
// has no "local changes" afterwards (qa-b 6c: it had, until it pushed, and every pull conflicted).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { uuidv7, nowIso } from '../../../src/store/ids.js';
import { uploadChunked } from '../../../src/sync/snapshot/chunked-db.js';
import { loadHistory, writeManifest } from '../../../src/sync/snapshot/manifest-store.js';
import { syncPull, syncPush } from '../../../src/sync/snapshot/push-pull.js';
import { rowCountsOf } from '../../../src/sync/snapshot/snapshot-writer.js';
import { syncStatus } from '../../../src/sync/snapshot/status.js';
import { tempDir } from '../../helpers/cli.js';
import { addRelease, makeDevice, releaseNames, remoteSpec } from './helpers.js';

const root = tempDir('trove-install-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('a snapshot of an older schema is migrated before it is installed: no local changes after the pull, and the next pull is a fast-forward', async () => {
  const spec = remoteSpec('fs', root);
  const old = makeDevice(root, 'old-trove', spec);
  const puller = makeDevice(root, 'puller', spec);
  await old.with(async (lib, remote) => {
    addRelease(lib, 'One (USA)');
    await syncPush(lib, remote);
  });

  // What a trove of schema 2 pushes: the same catalogue without migration 3's column.
  const pushOld = async (release: string) =>
    old.with(async (lib, remote) => {
      addRelease(lib, release);
      const file = path.join(root, `v2-${release.replace(/\W+/g, '-')}.db`);
      await lib.db.backup(file);
      const db = new Database(file);
      db.exec('ALTER TABLE file_sync_log DROP COLUMN stored_bytes; PRAGMA user_version = 2; VACUUM;');
      const rowCounts = rowCountsOf(db);
      db.close();
      const history = await loadHistory(remote, lib.state);
      const head = history.heads[0]!;
      const { ref } = await uploadChunked(remote, file, new Map());
      const m = { ...head, id: uuidv7(), parents: [head.id], device_base: head.id, created_at: nowIso(), schema_version: 2, database: ref, row_counts: rowCounts };
      await writeManifest(remote, m);
      return m.id;
    });

  const first = await pushOld('Two (USA)');
  await puller.with(async (lib, remote) => expect((await syncPull(lib, remote)).snapshot?.id).toBe(first));
  await puller.with(async (lib, remote) => {
    expect(releaseNames(lib)).toEqual(['One (USA)', 'Two (USA)']);
    expect(lib.db.pragma('user_version', { simple: true })).toBe(3);
    const st = await syncStatus(lib, remote);
    expect(st).toMatchObject({ base: first, conflict: false, localChanges: { changed: false } });
  });
  const second = await pushOld('Three (USA)');
  await puller.with(async (lib, remote) => {
    const r = await syncPull(lib, remote);
    expect(r.plan.kind).toBe('fast-forward');
    expect(r.snapshot?.id).toBe(second);
  });
  await puller.with((lib) => expect(releaseNames(lib)).toEqual(['One (USA)', 'Three (USA)', 'Two (USA)']));
});
