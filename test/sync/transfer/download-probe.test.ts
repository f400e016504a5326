// planDownloadsChecked against the real fs backend: files the log does not call uploaded but some
// device held are looked up on the remote (and fetched when there); files with no log row are not.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { planDownloadsChecked } from '../../../src/sync/transfer/download-probe.js';
import { enqueueDownloads } from '../../../src/sync/transfer/download-queue.js';
import { runDownloads } from '../../../src/sync/transfer/download-worker.js';
import { applyEvent } from '../../../src/sync/transfer/sync-log.js';
import { targetFiles } from '../../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { blobKey } from '../../../src/store/blob/blob-key.js';
import { FaultyRemote } from './faulty-remote.js';
import { allSyncRows, libraryWithFiles, type Fixture } from './library-fixture.js';

let fx: Fixture;
afterEach(() => fx?.cleanup());

describe('planDownloadsChecked', () => {
  it('fetches what the remote holds although the log says UploadPending or DeletionCompleted; asks nothing about files with no row', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = new FaultyRemote(new OpendalRemote({ scheme: 'fs', options: { root: path.join(fx.root, 'remote') } }));
    await runUploads(fx.lib, remote, { sleep: async () => undefined });
    const [pendingThere, deletedThere, pendingAbsent, noRow, ...rest] = allSyncRows(fx.lib);
    const db = fx.lib.db;
    // This device's log is older than the remote: another device uploaded (or put back) these since.
    db.prepare(`UPDATE file_sync_log SET state = 'UploadPending' WHERE file_sha1 IN (?, ?)`).run(pendingThere!.sha1, pendingAbsent!.sha1);
    for (const e of ['delete', 'start', 'succeed'] as const) applyEvent(db, deletedThere!.sha1, e);
    await remote.delete(blobKey(pendingAbsent!.type, pendingAbsent!.sha1));
    db.prepare('DELETE FROM file_sync_log WHERE file_sha1 = ?').run(noRow!.sha1); // on the remote, but no device logged it
    db.prepare('DELETE FROM state.local_blob').run(); // a device that holds nothing
    fs.rmSync(fx.lib.paths.storeDir, { recursive: true, force: true });
    fs.mkdirSync(fx.lib.paths.storeDir);
    remote.calls.stat = remote.calls.list = 0;
    const plan = await planDownloadsChecked(fx.lib, remote, targetFiles(db, {}), 4);
    expect(plan.asked).toBe(3);
    expect(plan.found).toBe(2);
    // One stat each, or one listing of the type's folder when that is cheaper (sizeSource).
    expect(remote.calls.stat === 3 || (remote.calls.stat === 0 && remote.calls.list >= 1)).toBe(true);
    expect(plan.fetch.map((f) => f.sha1).sort()).toEqual([pendingThere!.sha1, deletedThere!.sha1, ...rest.map((r) => r.sha1)].sort());
    expect(plan.unavailable).toEqual(
      [
        { sha1: pendingAbsent!.sha1, type: pendingAbsent!.type, state: 'UploadPending', reason: 'not-uploaded-yet' },
        { sha1: noRow!.sha1, type: noRow!.type, state: null, reason: 'never-uploaded' },
      ].sort((a, b) => (a.sha1 < b.sha1 ? -1 : 1)),
    );
    // The worker takes the sizes the probe learned instead of asking again, and the files verify.
    enqueueDownloads(fx.lib.state, plan.fetch);
    remote.calls.stat = remote.calls.list = 0;
    const report = await runDownloads(fx.lib, remote, { knownSizes: plan.sizes, sleep: async () => undefined });
    expect(report.failed).toEqual([]);
    expect(report.downloaded).toBe(plan.fetch.length);
    expect(remote.calls.stat + remote.calls.list).toBe(0);
    // The log is the uploader's record: unchanged here.
    expect(allSyncRows(fx.lib).find((r) => r.sha1 === pendingThere!.sha1)?.state).toBe('UploadPending');
  });
});
