// Two and three devices on one remote, on fs and on s3rver, through the same functions the CLI calls.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTroveError } from '../../../src/store/errors.js';
import { blobsReferencedBySnapshots } from '../../../src/sync/snapshot/blob-references.js';
import { detectLocalChanges } from '../../../src/sync/snapshot/local-changes.js';
import { loadHistory } from '../../../src/sync/snapshot/manifest-store.js';
import { pruneSnapshots } from '../../../src/sync/snapshot/prune.js';
import { publishLocal } from '../../../src/sync/snapshot/publish.js';
import { syncPull, syncPush } from '../../../src/sync/snapshot/push-pull.js';
import { restoreBackup, restoreSnapshot } from '../../../src/sync/snapshot/restore.js';
import { syncStatus } from '../../../src/sync/snapshot/status.js';
import { getBase } from '../../../src/sync/snapshot/sync-state.js';
import { listBackups } from '../../../src/sync/snapshot/backups.js';
import { tempDir } from '../../helpers/cli.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
import { addRelease, makeDevice, releaseNames, remoteSpec, type RemoteKind } from './helpers.js';

const root = tempDir();
let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

async function expectConflict(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(isTroveError(err, 'CONFLICT')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a CONFLICT');
}

let n = 0;
function devices(kind: RemoteKind, count: number) {
  const spec = remoteSpec(kind, root, s3);
  const dir = `${kind}-${++n}`;
  return ['alpha', 'beta', 'gamma'].slice(0, count).map((name) => makeDevice(root, `${dir}/${name}`, spec));
}

describe.each(['fs', 's3'] as const)('on %s', (kind) => {
  it('fast-forwards both ways between two devices', async () => {
    const [a, b] = devices(kind, 2);
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'Alpha (USA)');
      expect((await syncPush(lib, remote)).plan.kind).toBe('push');
    });
    await b!.with(async (lib, remote) => expect((await syncPull(lib, remote)).plan.kind).toBe('fast-forward'));
    await b!.with(async (lib, remote) => {
      expect(releaseNames(lib)).toEqual(['Alpha (USA)']);
      expect((await syncStatus(lib, remote)).localChanges.changed).toBe(false);
      addRelease(lib, 'Beta (USA)');
      expect((await syncPush(lib, remote)).plan).toMatchObject({ kind: 'push', newHead: false });
    });
    await a!.with(async (lib, remote) => {
      const s = await syncStatus(lib, remote);
      expect(s).toMatchObject({ behind: 1, ahead: 0, conflict: false });
      expect((await syncPull(lib, remote)).plan.kind).toBe('fast-forward');
    });
    await a!.with(async (lib, remote) => {
      expect(releaseNames(lib)).toEqual(['Alpha (USA)', 'Beta (USA)']);
      const s = await syncStatus(lib, remote);
      expect(s).toMatchObject({ behind: 0, ahead: 0, conflict: false, heads: [{ device: { name: 'beta' } }] });
      expect((await syncPush(lib, remote)).plan.kind).toBe('up-to-date');
    });
  });

  it('keeps both concurrent pushes from one base as two heads that every device reports', async () => {
    const [a, b, c] = devices(kind, 3);
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'Base (USA)');
      await syncPush(lib, remote);
    });
    for (const d of [b!, c!]) await d.with((lib, remote) => syncPull(lib, remote));
    // The race: both devices decided to push against the same listing (one head = their base).
    const { lib: la, remote: ra } = a!.open();
    const { lib: lb, remote: rb } = b!.open();
    try {
      addRelease(la, 'From A (USA)');
      addRelease(lb, 'From B (USA)');
      const base = getBase(la.state)!.snapshotId!;
      await Promise.all([publishLocal(la, ra, [base]), publishLocal(lb, rb, [base])]);
    } finally {
      la.close();
      lb.close();
    }
    for (const d of [a!, b!, c!]) {
      await d.with(async (lib, remote) => {
        const s = await syncStatus(lib, remote);
        expect(s.heads).toHaveLength(2);
        expect(s.conflict).toBe(true);
        expect(await expectConflict(syncPull(lib, remote))).toMatch(/2 heads.*--resolve cloud/);
      });
    }
    // A later push is refused, and with --force it is kept as a third head.
    await c!.with(async (lib, remote) => {
      addRelease(lib, 'From C (USA)');
      expect(await expectConflict(syncPush(lib, remote))).toMatch(/push --force/);
      expect((await syncPush(lib, remote, { force: true })).heads).toHaveLength(3);
    });
    // --resolve local on C unites all three heads under C's database.
    await c!.with(async (lib, remote) => {
      const r = await syncPull(lib, remote, { resolve: 'local' });
      expect(r.plan.kind).toBe('keep-local');
      expect(r.snapshot!.parents).toHaveLength(3);
    });
    await a!.with(async (lib, remote) => {
      const s = await syncStatus(lib, remote);
      expect(s.heads).toHaveLength(1);
      expect(s).toMatchObject({ conflict: false, behind: 3 }); // B's head, C's forced head, C's union
      expect((await syncPull(lib, remote)).plan.kind).toBe('fast-forward');
    });
    await a!.with((lib) => expect(releaseNames(lib)).toEqual(['Base (USA)', 'From C (USA)']));
  });

  it('resolves a conflict with cloud (backup first) and with local', async () => {
    const [a, b] = devices(kind, 2);
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'Shared (USA)');
      await syncPush(lib, remote);
    });
    await b!.with((lib, remote) => syncPull(lib, remote));
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'A wins (USA)');
      await syncPush(lib, remote);
    });
    await b!.with(async (lib, remote) => {
      addRelease(lib, 'B loses (USA)');
      expect(await expectConflict(syncPull(lib, remote))).toMatch(/local changes/);
      const r = await syncPull(lib, remote, { resolve: 'cloud' });
      expect(r.plan.kind).toBe('take-cloud');
      expect(r.backupId).toBeTruthy();
    });
    await b!.with(async (lib, remote) => {
      expect(releaseNames(lib)).toEqual(['A wins (USA)', 'Shared (USA)']);
      expect((await syncStatus(lib, remote)).localChanges.changed).toBe(false);
      // The cloud resolution is undoable: the backup holds B's lost edit.
      const backup = listBackups(lib.paths, lib.state).at(-1)!;
      await restoreBackup(lib, backup.id);
    });
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'A again (USA)');
      await syncPush(lib, remote);
    });
    await b!.with(async (lib, remote) => {
      expect(releaseNames(lib)).toEqual(['B loses (USA)', 'Shared (USA)']);
      // Now keep local: pushed as a child of A's newer head.
      expect(await expectConflict(syncPull(lib, remote))).toMatch(/local changes/);
      const r = await syncPull(lib, remote, { resolve: 'local' });
      expect(r.plan.kind).toBe('keep-local');
      expect(r.snapshot!.parents).toHaveLength(1);
    });
    await a!.with(async (lib, remote) => expect((await syncPull(lib, remote)).plan.kind).toBe('fast-forward'));
    await a!.with((lib) => expect(releaseNames(lib)).toEqual(['B loses (USA)', 'Shared (USA)']));
  });

  it('restores an old snapshot as local changes that a push publishes on top', async () => {
    const [a, b] = devices(kind, 2);
    let first = '';
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'One (USA)');
      first = (await syncPush(lib, remote)).snapshot!.id;
      addRelease(lib, 'Two (USA)');
      await syncPush(lib, remote);
      const r = await restoreSnapshot(lib, remote, first.slice(0, 20));
      expect(r.snapshot.id).toBe(first);
    });
    await a!.with(async (lib, remote) => {
      expect(releaseNames(lib)).toEqual(['One (USA)']);
      expect((await detectLocalChanges(lib)).changed).toBe(true);
      expect((await syncPush(lib, remote)).plan).toMatchObject({ kind: 'push', newHead: false });
    });
    await b!.with((lib, remote) => syncPull(lib, remote));
    await b!.with((lib) => expect(releaseNames(lib)).toEqual(['One (USA)']));
  });

  it('prunes old snapshots but never a head or a device base, and keeps referenced content', async () => {
    const [a, b] = devices(kind, 2);
    await a!.with(async (lib, remote) => {
      addRelease(lib, 'R0 (USA)');
      await syncPush(lib, remote);
    });
    await b!.with((lib, remote) => syncPull(lib, remote)); // B's base: the first snapshot
    await a!.with(async (lib, remote) => {
      for (let i = 1; i <= 4; i++) {
        addRelease(lib, `R${i} (USA)`);
        await syncPush(lib, remote);
      }
    });
    await a!.with(async (lib, remote) => {
      const before = await loadHistory(remote, lib.state);
      const ids = [...before.byId.keys()].sort();
      const bBase = ids[0]!;
      const r = await pruneSnapshots(remote, lib.state, { keepLast: 1, localBase: getBase(lib.state)!.snapshotId });
      expect(r.remove).toEqual(ids.slice(1, 4));
      const after = await loadHistory(remote, lib.state);
      expect([...after.byId.keys()].sort()).toEqual([bBase, ids[4]!]);
      expect(after.missingParents).toEqual([]); // pruned parents are tombstoned, not "missing"
      const referenced = await blobsReferencedBySnapshots(remote, lib.state);
      expect(referenced.size).toBe(5); // the head references all five files
    });
    // B, based on a kept snapshot, still pulls; then B's old base becomes prunable.
    await b!.with(async (lib, remote) => expect((await syncPull(lib, remote)).plan.kind).toBe('fast-forward'));
    await b!.with(async (lib, remote) => {
      expect(releaseNames(lib)).toHaveLength(5);
      const r = await pruneSnapshots(remote, lib.state, { keepLast: 1, localBase: getBase(lib.state)!.snapshotId });
      expect(r.remove).toHaveLength(1);
      expect((await loadHistory(remote, lib.state)).byId.size).toBe(1);
    });
  });
});
