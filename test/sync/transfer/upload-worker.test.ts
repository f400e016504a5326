// The upload worker against the real fs backend, with a fault-injecting wrapper where a failure must
// happen on purpose.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { logNote } from '../../../src/sync/transfer/log-error.js';
import { applyEvent } from '../../../src/sync/transfer/sync-log.js';
import { FaultyRemote } from './faulty-remote.js';
import { allSyncRows, libraryWithFiles, type Fixture } from './library-fixture.js';

let fx: Fixture;
afterEach(() => fx?.cleanup());
const noSleep = { sleep: async () => undefined, random: () => 0 };

function fsRemote(fx: Fixture): OpendalRemote {
  return new OpendalRemote({ scheme: 'fs', options: { root: path.join(fx.root, 'remote') } });
}

describe('runUploads', () => {
  it('uploads every pending blob byte-identical to the local store and marks it UploadCompleted', async () => {
    fx = await libraryWithFiles();
    const remote = fsRemote(fx);
    const rows = allSyncRows(fx.lib);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((r) => r.state === 'UploadPending')).toBe(true);
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.uploaded).toBe(rows.length);
    expect(report.failed).toEqual([]);
    for (const r of allSyncRows(fx.lib)) {
      expect(r.state).toBe('UploadCompleted');
      const local = fs.readFileSync(blobPath(fx.lib.paths.storeDir, r.type, r.sha1));
      expect((await remote.readAll(blobKey(r.type, r.sha1))).equals(local)).toBe(true);
    }
    // A second run has nothing to do.
    expect((await runUploads(fx.lib, remote, noSleep)).uploaded).toBe(0);
  });

  it('after a crash between PUT and log update, accepts the present object of the right size without uploading it again', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const inner = fsRemote(fx);
    const [first] = allSyncRows(fx.lib);
    // The crashed run: InProgress in the log, object already on the remote.
    applyEvent(fx.lib.db, first!.sha1, 'start');
    await inner.write(blobKey(first!.type, first!.sha1), fs.readFileSync(blobPath(fx.lib.paths.storeDir, first!.type, first!.sha1)));
    const remote = new FaultyRemote(inner);
    const total = allSyncRows(fx.lib).length;
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.alreadyPresent).toBe(1);
    expect(report.uploaded).toBe(total - 1);
    expect(remote.calls.write).toBe(total - 1);
    expect(allSyncRows(fx.lib).every((r) => r.state === 'UploadCompleted')).toBe(true);
  });

  it('re-uploads after a crash when the object on the remote has the wrong size (a torn write)', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    const [first] = allSyncRows(fx.lib);
    applyEvent(fx.lib.db, first!.sha1, 'start');
    await remote.write(blobKey(first!.type, first!.sha1), Buffer.from('torn'));
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.alreadyPresent).toBe(0);
    const local = fs.readFileSync(blobPath(fx.lib.paths.storeDir, first!.type, first!.sha1));
    expect((await remote.readAll(blobKey(first!.type, first!.sha1))).equals(local)).toBe(true);
  });

  it('retries a transient failure with growing backoff and completes', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = new FaultyRemote(fsRemote(fx));
    const [first] = allSyncRows(fx.lib);
    remote.failNext('write', 'REMOTE_UNAVAILABLE', 2, blobKey(first!.type, first!.sha1));
    const delays: number[] = [];
    const report = await runUploads(fx.lib, remote, { sleep: async (ms) => void delays.push(ms), random: () => 0, baseMs: 100, concurrency: 1 });
    expect(report.failed).toEqual([]);
    expect(delays).toEqual([50, 100]);
    const row = allSyncRows(fx.lib).find((r) => r.sha1 === first!.sha1)!;
    expect(row).toMatchObject({ state: 'UploadCompleted', attempts: 3 });
  });

  it('stops the whole run at the first AUTH failure: no retries, the rest stay pending', async () => {
    fx = await libraryWithFiles();
    const remote = new FaultyRemote(fsRemote(fx));
    remote.failNext('write', 'AUTH', 1000);
    const slept: number[] = [];
    const report = await runUploads(fx.lib, remote, { sleep: async (ms) => void slept.push(ms), concurrency: 4 });
    expect(report.stoppedBy?.code).toBe('AUTH');
    expect(slept).toEqual([]);
    expect(remote.calls.write).toBeLessThanOrEqual(4);
    const rows = allSyncRows(fx.lib);
    expect(rows.filter((r) => r.state === 'UploadFailed').length).toBe(remote.calls.write);
    expect(rows.filter((r) => r.state === 'UploadPending').length).toBe(rows.length - remote.calls.write);
    expect(rows.some((r) => r.state === 'UploadCompleted' || r.state === 'UploadInProgress')).toBe(false);
  });

  it('--verify finds a damaged remote object, queues it again and replaces it from the local copy', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    await runUploads(fx.lib, remote, noSleep);
    const [victim] = allSyncRows(fx.lib);
    const key = blobKey(victim!.type, victim!.sha1);
    const bytes = Buffer.from(await remote.readAll(key));
    bytes[bytes.length - 10] ^= 0xff;
    await remote.write(key, bytes);
    const report = await runUploads(fx.lib, remote, { ...noSleep, verify: true });
    expect(report.verify?.bad.map((b) => b.sha1)).toEqual([victim!.sha1]);
    expect(report.verify?.bad[0]!.message).toContain(victim!.sha1);
    expect(report.uploaded).toBe(1);
    const local = fs.readFileSync(blobPath(fx.lib.paths.storeDir, victim!.type, victim!.sha1));
    expect((await remote.readAll(key)).equals(local)).toBe(true);
  });

  it('a blob a clean-up deleted while the catalogue still references it goes up again from this device (DeletionCompleted / DeletionFailed)', async () => {
    // What a merged log says after another device ran `prune-blobs --include-unknown` on an object
    // this device had uploaded but not pushed yet (QA D7): DeletionCompleted, object gone.
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    await runUploads(fx.lib, remote, noSleep);
    const [gone, failed, pending] = allSyncRows(fx.lib);
    for (const r of [gone!, failed!]) {
      await remote.delete(blobKey(r.type, r.sha1));
      applyEvent(fx.lib.db, r.sha1, 'delete');
      applyEvent(fx.lib.db, r.sha1, 'start');
    }
    applyEvent(fx.lib.db, gone!.sha1, 'succeed');
    applyEvent(fx.lib.db, failed!.sha1, 'fail', logNote('delete failed (timeout): it may have landed'));
    // A deletion not yet done may be running in another process: left to prune-blobs.
    applyEvent(fx.lib.db, pending!.sha1, 'delete');
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.requeuedDeleted).toBe(2);
    expect(report.unsettledDeletions).toBe(1);
    expect(report.uploaded).toBe(2);
    expect(report.failed).toEqual([]);
    const states = new Map(allSyncRows(fx.lib).map((r) => [r.sha1, r.state]));
    expect(states.get(gone!.sha1)).toBe('UploadCompleted');
    expect(states.get(failed!.sha1)).toBe('UploadCompleted');
    expect(states.get(pending!.sha1)).toBe('DeletionPending');
    for (const r of [gone!, failed!]) {
      expect((await remote.readAll(blobKey(r.type, r.sha1))).equals(fs.readFileSync(blobPath(fx.lib.paths.storeDir, r.type, r.sha1)))).toBe(true);
    }
    // `--verify` after that finds the objects there and good.
    const verified = await runUploads(fx.lib, remote, { ...noSleep, verify: true });
    expect(verified.verify?.bad).toEqual([]);
  });

  it('a deleted blob nothing references any more, or that this device does not hold, stays deleted', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    await runUploads(fx.lib, remote, noSleep);
    const [unreferenced, notHere] = allSyncRows(fx.lib);
    for (const r of [unreferenced!, notHere!]) {
      await remote.delete(blobKey(r.type, r.sha1));
      for (const e of ['delete', 'start', 'succeed'] as const) applyEvent(fx.lib.db, r.sha1, e);
    }
    fx.lib.db.prepare('DELETE FROM file_set_file WHERE file_sha1 = ?').run(unreferenced!.sha1);
    fx.lib.db.prepare('DELETE FROM state.local_blob WHERE sha1 = ?').run(notHere!.sha1);
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report).toMatchObject({ requeuedDeleted: 0, uploaded: 0 });
    expect(allSyncRows(fx.lib).filter((r) => r.state === 'DeletionCompleted').map((r) => r.sha1).sort()).toEqual([unreferenced!.sha1, notHere!.sha1].sort());
  });

  it('queues blobs that were stored before a remote was configured', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1, queueUploads: false });
    expect(allSyncRows(fx.lib)).toEqual([]);
    const report = await runUploads(fx.lib, fsRemote(fx), noSleep);
    expect(report.uploaded).toBeGreaterThan(0);
    expect(allSyncRows(fx.lib).every((r) => r.state === 'UploadCompleted')).toBe(true);
  });
});

/** Flip one byte of a file in place: bit rot that keeps the size. */
function rot(file: string, at: (size: number) => number = (n) => Math.floor(n / 2)): void {
  const bytes = fs.readFileSync(file);
  bytes[at(bytes.length)]! ^= 0xff;
  fs.writeFileSync(file, bytes);
}

function remoteFile(fx: Fixture, key: string): string {
  return path.join(fx.root, 'remote', key);
}

function stagingFiles(fx: Fixture): string[] {
  const dir = path.join(fx.root, 'remote', '.trove-tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

function localBlob(fx: Fixture, r: { type: string; sha1: string }): string {
  return blobPath(fx.lib.paths.storeDir, r.type, r.sha1);
}

function storedBytes(fx: Fixture, sha1: string): number {
  return (fx.lib.db.prepare('SELECT stored_bytes AS n FROM state.local_blob WHERE sha1 = ?').get(sha1) as { n: number }).n;
}

describe('runUploads never spreads or accepts damaged data', () => {
  it('a re-upload interrupted after --verify found the object damaged: the next run does not accept the damaged object on its size', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    await runUploads(fx.lib, remote, noSleep);
    const [victim] = allSyncRows(fx.lib);
    const key = blobKey(victim!.type, victim!.sha1);
    rot(remoteFile(fx, key));
    // What `upload --verify` then a kill -9 during the re-PUT leave: the row in progress, attempts 1.
    applyEvent(fx.lib.db, victim!.sha1, 'reupload', logNote('damaged'));
    applyEvent(fx.lib.db, victim!.sha1, 'start');
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.alreadyPresent).toBe(0);
    expect(report.uploaded).toBe(1);
    expect(fs.readFileSync(remoteFile(fx, key)).equals(fs.readFileSync(localBlob(fx, victim!)))).toBe(true);
  });

  it('a re-upload after --verify that fails once (transient) is not replaced by the damaged object on the retry', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const inner = fsRemote(fx);
    await runUploads(fx.lib, inner, noSleep);
    const [victim] = allSyncRows(fx.lib);
    const key = blobKey(victim!.type, victim!.sha1);
    rot(remoteFile(fx, key));
    const remote = new FaultyRemote(inner);
    remote.failNext('write', 'REMOTE_UNAVAILABLE', 1, key);
    const report = await runUploads(fx.lib, remote, { ...noSleep, verify: true });
    expect(report.verify?.bad.map((b) => b.sha1)).toEqual([victim!.sha1]);
    expect(report.alreadyPresent).toBe(0);
    expect(report.failed).toEqual([]);
    expect(fs.readFileSync(remoteFile(fx, key)).equals(fs.readFileSync(localBlob(fx, victim!)))).toBe(true);
  });

  it('a conditional write that reports ALREADY_EXISTS: a present object that verifies is accepted, a damaged one is overwritten', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const inner = fsRemote(fx);
    const [good, bad] = allSyncRows(fx.lib);
    for (const r of [good!, bad!]) await inner.write(blobKey(r.type, r.sha1), fs.readFileSync(localBlob(fx, r)));
    rot(remoteFile(fx, blobKey(bad!.type, bad!.sha1)));
    const remote = new FaultyRemote(inner);
    remote.failNext('write', 'ALREADY_EXISTS', 1, blobKey(good!.type, good!.sha1));
    remote.failNext('write', 'ALREADY_EXISTS', 1, blobKey(bad!.type, bad!.sha1));
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.failed).toEqual([]);
    expect(report.alreadyPresent).toBe(1);
    for (const r of [good!, bad!]) expect(fs.readFileSync(remoteFile(fx, blobKey(r.type, r.sha1))).equals(fs.readFileSync(localBlob(fx, r)))).toBe(true);
    expect(allSyncRows(fx.lib).every((r) => r.state === 'UploadCompleted')).toBe(true);
  });

  it('a rotted local blob (whole-object PUT) fails with the sha1, the local path and `trove verify`, and never replaces the good remote object', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    await runUploads(fx.lib, remote, noSleep);
    const [victim] = allSyncRows(fx.lib);
    const key = blobKey(victim!.type, victim!.sha1);
    const goodRemote = fs.readFileSync(remoteFile(fx, key));
    rot(localBlob(fx, victim!));
    // Another device's row for the same content: its upload is pending here.
    applyEvent(fx.lib.db, victim!.sha1, 'reupload');
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.uploaded).toBe(0);
    expect(report.failed).toHaveLength(1);
    const f = report.failed[0]!;
    expect(['CHECKSUM_MISMATCH', 'CORRUPT_BLOB']).toContain(f.code);
    expect(f.message).toContain(victim!.sha1);
    expect(f.message).toContain(localBlob(fx, victim!));
    expect(f.message).toContain('trove verify');
    expect(fs.readFileSync(remoteFile(fx, key)).equals(goodRemote)).toBe(true);
    expect(allSyncRows(fx.lib).find((r) => r.sha1 === victim!.sha1)!.state).toBe('UploadFailed');
  });

  it('a rotted local blob with no remote copy yet: nothing appears under its key', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    const [victim] = allSyncRows(fx.lib);
    rot(localBlob(fx, victim!));
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.failed.map((f) => f.sha1)).toEqual([victim!.sha1]);
    expect(await remote.stat(blobKey(victim!.type, victim!.sha1))).toBeUndefined();
    expect(allSyncRows(fx.lib).filter((r) => r.state === 'UploadCompleted')).toHaveLength(allSyncRows(fx.lib).length - 1);
  });

  it.each([
    ['near its start', (n: number) => 100],
    ['in its last bytes', (n: number) => n - 20],
  ])('a rotted big local blob (streamed) damaged %s: the write is never committed, the staging file is not renamed into place', async (_, at) => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1, bigFileBytes: 24 * 1024 * 1024 });
    const remote = fsRemote(fx);
    const big = allSyncRows(fx.lib).find((r) => storedBytes(fx, r.sha1) > 8 * 1024 * 1024)!;
    expect(big).toBeDefined();
    rot(localBlob(fx, big), at);
    const report = await runUploads(fx.lib, remote, noSleep);
    expect(report.failed.map((f) => f.sha1)).toEqual([big.sha1]);
    expect(report.failed[0]!.message).toContain(localBlob(fx, big));
    expect(fs.existsSync(remoteFile(fx, blobKey(big.type, big.sha1)))).toBe(false);
    // What the writer staged stays in .trove-tmp/ (OpenDAL 0.49.1's Node Writer has no abort), under
    // a staging name, never renamed: `trove prune-blobs` removes it once it is old.
    expect(stagingFiles(fx).every((f) => f.startsWith(`${big.sha1}.zst.`))).toBe(true);
    expect(await remote.list('rom/')).not.toContainEqual(expect.objectContaining({ key: blobKey(big.type, big.sha1) }));
    expect(allSyncRows(fx.lib).find((r) => r.sha1 === big.sha1)!.state).toBe('UploadFailed');
  });

  it('--verify on a device whose own blob is damaged does not re-upload it over a missing remote object', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = fsRemote(fx);
    await runUploads(fx.lib, remote, noSleep);
    const [victim] = allSyncRows(fx.lib);
    const key = blobKey(victim!.type, victim!.sha1);
    fs.rmSync(remoteFile(fx, key));
    rot(localBlob(fx, victim!));
    const report = await runUploads(fx.lib, remote, { ...noSleep, verify: true });
    expect(report.verify?.bad.map((b) => b.sha1)).toEqual([victim!.sha1]);
    expect(report.uploaded).toBe(0);
    expect(report.failed.map((f) => f.sha1)).toEqual([victim!.sha1]);
    expect(fs.existsSync(remoteFile(fx, key))).toBe(false);
    expect(allSyncRows(fx.lib).find((r) => r.sha1 === victim!.sha1)!.state).not.toBe('UploadCompleted');
  });
});

describe('runUploads --verify: what was repaired', () => {
  it('an object replaced in this run counts as repaired only once it was read back and verified', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const inner = fsRemote(fx);
    await runUploads(fx.lib, inner, noSleep);
    const [fixed, broken] = allSyncRows(fx.lib);
    for (const r of [fixed!, broken!]) rot(remoteFile(fx, blobKey(r.type, r.sha1)));
    // A remote that keeps serving damaged bytes for one key, whatever is written there.
    const remote = new FaultyRemote(inner);
    const brokenKey = blobKey(broken!.type, broken!.sha1);
    const damaged = fs.readFileSync(remoteFile(fx, brokenKey));
    remote.readBody = (key) => (key === brokenKey ? damaged : undefined);
    const report = await runUploads(fx.lib, remote, { ...noSleep, verify: true });
    expect(report.uploaded).toBe(2);
    expect(report.verify?.bad.map((b) => b.sha1).sort()).toEqual([fixed!.sha1, broken!.sha1].sort());
    expect(report.verify?.repaired.map((b) => b.sha1)).toEqual([fixed!.sha1]);
    expect(report.verify?.unrepaired.map((b) => b.sha1)).toEqual([broken!.sha1]);
    expect(allSyncRows(fx.lib).find((r) => r.sha1 === broken!.sha1)!.state).toBe('UploadPending');
  });
});
