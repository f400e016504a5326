// The blob clean-up worker against the real fs backend with injected faults: retries through the
// transfer retry policy, DeletionFailed with attempts and last error, a stopped run, and the next run
// finishing what the previous one left.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { runRemoteGc } from '../../../src/sync/transfer/gc-worker.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { queueUpload } from '../../../src/store/repo/file-sync-log.js';
import { applyEvent, requeueDeletedReferencedBlobs } from '../../../src/sync/transfer/sync-log.js';
import { logNote } from '../../../src/sync/transfer/log-error.js';
import { FaultyRemote } from './faulty-remote.js';
import { libraryWithFiles, type Fixture } from './library-fixture.js';

let fx: Fixture;
afterEach(() => fx?.cleanup());
const fast = { sleep: async () => undefined, random: () => 0, graceMs: 0, concurrency: 1 };

/** Upload everything, then unreference every file but those of the first file set. */
async function setup(): Promise<{ remote: FaultyRemote; victims: string[]; keptSha1s: string[] }> {
  fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 2 });
  const remote = new FaultyRemote(new OpendalRemote({ scheme: 'fs', options: { root: path.join(fx.root, 'remote') } }));
  await runUploads(fx.lib, remote, { sleep: fast.sleep });
  const db = fx.lib.db;
  const firstSet = (db.prepare('SELECT id FROM file_set ORDER BY id LIMIT 1').get() as { id: string }).id;
  db.prepare('DELETE FROM file_set_file WHERE file_set_id <> ?').run(firstSet);
  const keptSha1s = (db.prepare('SELECT DISTINCT file_sha1 FROM file_set_file').pluck().all() as string[]).sort();
  const victims = (db.prepare('SELECT sha1 FROM file WHERE sha1 NOT IN (SELECT file_sha1 FROM file_set_file) ORDER BY sha1').pluck().all() as string[]);
  expect(victims.length).toBeGreaterThan(2);
  return { remote, victims, keptSha1s };
}

const rows = () => fx.lib.db.prepare('SELECT file_sha1 AS sha1, state, attempts, last_error AS lastError FROM file_sync_log ORDER BY file_sha1').all() as { sha1: string; state: string; attempts: number; lastError: string | null }[];
const stateOf = (sha1: string) => rows().find((r) => r.sha1 === sha1)!;

describe('runRemoteGc', () => {
  it('retries transient delete failures with backoff and completes; referenced blobs are never requested', async () => {
    const { remote, victims, keptSha1s } = await setup();
    remote.failNext('delete', 'REMOTE_UNAVAILABLE', 2);
    const r = await runRemoteGc(fx.lib, remote, fast);
    expect(r.deleted.map((d) => d.sha1).sort()).toEqual(victims);
    expect(r.failed).toEqual([]);
    expect(remote.calls.delete).toBe(victims.length + 2);
    expect(stateOf(r.plan.delete[0]!.sha1)).toMatchObject({ state: 'DeletionCompleted', attempts: 3, lastError: null });
    for (const s of keptSha1s) expect(stateOf(s).state).toBe('UploadCompleted');
    const listed = (await Promise.all(['rom/', 'manual/', 'box_art/', 'screenshot/', 'disc/', 'other/'].map((p) => remote.list(p)))).flat().map((e) => e.key);
    for (const s of keptSha1s) expect(listed.some((k) => k.includes(s))).toBe(true);
    for (const s of victims) expect(listed.some((k) => k.includes(s))).toBe(false);
  });

  it('content deleted from the remote and queued again forgets its recorded size until its next upload records it', async () => {
    const { remote, victims } = await setup();
    const sizeOf = (sha1: string) => fx.lib.db.prepare('SELECT stored_bytes FROM file_sync_log WHERE file_sha1 = ?').pluck().get(sha1);
    const recorded = sizeOf(victims[0]!);
    expect(recorded).toBeGreaterThan(0);
    await runRemoteGc(fx.lib, remote, fast);
    const type = fx.lib.db.prepare('SELECT type FROM file WHERE sha1 = ?').pluck().get(victims[0]!) as string;
    queueUpload(fx.lib.db, victims[0]!, type);
    expect(stateOf(victims[0]!).state).toBe('UploadPending');
    expect(sizeOf(victims[0]!)).toBeNull();
    await runUploads(fx.lib, remote, { sleep: fast.sleep, only: new Set([victims[0]!]) });
    expect(stateOf(victims[0]!).state).toBe('UploadCompleted');
    expect(sizeOf(victims[0]!)).toBe(recorded);
  });

  it('a permanent per-item failure ends in DeletionFailed with attempts and last error; the next run retries it', async () => {
    const { remote, victims } = await setup();
    remote.failNext('delete', 'REMOTE_ERROR', 1);
    const r = await runRemoteGc(fx.lib, remote, fast);
    const first = r.plan.delete[0]!.sha1;
    expect(r.failed).toEqual([expect.objectContaining({ sha1: first, code: 'REMOTE_ERROR' })]);
    expect(r.stoppedBy).toBeUndefined();
    expect(r.deleted).toHaveLength(victims.length - 1);
    // The shared log (collection.db, pushed to every device) keeps the code and the key, not the
    // message naming this device's remote (QA2-D D11).
    expect(stateOf(first)).toMatchObject({ state: 'DeletionFailed', attempts: 1, lastError: `REMOTE_ERROR: delete ${r.plan.delete[0]!.key}` });
    expect(stateOf(first).lastError).not.toContain(remote.description);
    const again = await runRemoteGc(fx.lib, remote, fast);
    expect(again.deleted.map((d) => d.sha1)).toEqual([first]);
    expect(stateOf(first)).toMatchObject({ state: 'DeletionCompleted', attempts: 2, lastError: null }); // attempts count across runs
  });

  it('an auth failure stops the run at once; the untried deletions stay pending for the next run', async () => {
    const { remote, victims } = await setup();
    remote.failNext('delete', 'AUTH', 1);
    const r = await runRemoteGc(fx.lib, remote, fast);
    expect(r.stoppedBy).toMatchObject({ code: 'AUTH' });
    expect(remote.calls.delete).toBe(1);
    expect(r.deleted).toEqual([]);
    const first = r.plan.delete[0]!.sha1;
    expect(stateOf(first).state).toBe('DeletionFailed');
    for (const s of victims.filter((v) => v !== first)) expect(stateOf(s).state).toBe('DeletionPending');
    const again = await runRemoteGc(fx.lib, remote, fast);
    expect(again.deleted.map((d) => d.sha1).sort()).toEqual(victims);
    for (const s of victims) expect(stateOf(s).state).toBe('DeletionCompleted');
  });

  it('rows queued for upload by another process between the plan and the deletes are neither marked, settled nor deleted', async () => {
    const { remote, victims, keptSha1s } = await setup();
    const db = fx.lib.db;
    const [readded, ...others] = victims;
    const wanted = keptSha1s[0]!;
    // readded: deleted once, written again, unreferenced: a victim. wanted: referenced, an earlier
    // deletion failed with the object still there: the plan settles it (cancel).
    for (const e of ['delete', 'start', 'succeed'] as const) applyEvent(db, readded!, e);
    for (const e of ['delete', 'start'] as const) applyEvent(db, wanted, e);
    applyEvent(db, wanted, 'fail', logNote('timeout'));
    // After the plan read the log and the catalogue (the staging folder is listed last), another
    // process: `trove add` of readded's content; and wanted re-queued (as `trove upload` would: queue.lock
    // keeps it apart from prune-blobs now, but the worker must not trust a row it read before applying).
    remote.onList = (prefix) => {
      if (prefix !== remote.features.stagingPrefix) return;
      remote.onList = undefined;
      queueUpload(db, readded!, db.prepare('SELECT type FROM file WHERE sha1 = ?').pluck().get(readded!) as string);
      expect(requeueDeletedReferencedBlobs(db).requeued).toEqual([wanted]);
    };
    const r = await runRemoteGc(fx.lib, remote, fast);
    expect(r.plan.delete.map((d) => d.sha1)).toContain(readded);
    expect(r.plan.settle).toEqual([{ sha1: wanted, action: 'cancel' }]);
    expect(r.deleted.map((d) => d.sha1).sort()).toEqual(others);
    expect(stateOf(readded!).state).toBe('UploadPending');
    expect(stateOf(wanted).state).toBe('UploadPending');
    const listed = (await remote.list('rom/')).map((e) => e.key).join('\n') + (await remote.list('manual/')).map((e) => e.key).join('\n');
    expect(listed).toContain(readded);
  });

  it('a dry run changes nothing, locally or remotely', async () => {
    const { remote, victims } = await setup();
    const before = rows();
    const r = await runRemoteGc(fx.lib, remote, { ...fast, dryRun: true });
    expect(r.plan.delete.map((d) => d.sha1).sort()).toEqual(victims);
    expect(remote.calls.delete).toBe(0);
    expect(rows()).toEqual(before);
  });

  it('puts content wanted again back in the upload queue when an earlier run deleted it', async () => {
    const { remote, victims } = await setup();
    await runRemoteGc(fx.lib, remote, fast);
    // A crash after the delete left the row pending; meanwhile the content was added to a file set again.
    fx.lib.db.prepare(`UPDATE file_sync_log SET state = 'DeletionPending' WHERE file_sha1 = ?`).run(victims[0]);
    const set = (fx.lib.db.prepare('SELECT id FROM file_set ORDER BY id LIMIT 1').get() as { id: string }).id;
    fx.lib.db.prepare(`INSERT INTO file_set_file (id, file_set_id, file_sha1, name, position, created_at, updated_at) VALUES ('x', ?, ?, 'again.bin', 99, '', '')`).run(set, victims[0]);
    const r = await runRemoteGc(fx.lib, remote, fast);
    expect(r.plan.settle).toEqual([{ sha1: victims[0], action: 'reupload' }]);
    expect(stateOf(victims[0]!).state).toBe('UploadPending');
    expect((await runUploads(fx.lib, remote, { sleep: fast.sleep })).uploaded).toBe(1);
  });
});

describe('runRemoteGc: staging files on an fs remote', () => {
  it('deletes staging files older than the grace period (a killed or refused upload left them), keeps younger ones, and reports both in a dry run first', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const root = path.join(fx.root, 'remote');
    const remote = new OpendalRemote({ scheme: 'fs', options: { root } });
    expect(remote.features.stagingPrefix).toBe('.trove-tmp/');
    await runUploads(fx.lib, remote, { sleep: fast.sleep });
    // Two partial writes a killed upload left two days ago, and one being written right now.
    const staging = path.join(root, '.trove-tmp');
    fs.mkdirSync(staging, { recursive: true });
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
    for (const [name, bytes] of [['a.zst.OLD1', 1000], ['b.zst.OLD2', 2000], ['c.zst.NEW3', 3000]] as const) {
      fs.writeFileSync(path.join(staging, name), Buffer.alloc(bytes));
      if (name.includes('OLD')) fs.utimesSync(path.join(staging, name), twoDaysAgo, twoDaysAgo);
    }
    // Blob listings never show them.
    expect((await remote.list('rom/')).some((e) => e.key.includes('.trove-tmp'))).toBe(false);

    const dry = await runRemoteGc(fx.lib, remote, { ...fast, graceMs: 24 * 3_600_000, dryRun: true });
    expect(dry.plan.staging.delete.map((f) => [f.key, f.size])).toEqual([
      ['.trove-tmp/a.zst.OLD1', 1000],
      ['.trove-tmp/b.zst.OLD2', 2000],
    ]);
    expect(dry.plan.staging.keep.map((f) => [f.key, f.reason])).toEqual([['.trove-tmp/c.zst.NEW3', 'within grace period']]);
    expect(fs.readdirSync(staging).sort()).toEqual(['a.zst.OLD1', 'b.zst.OLD2', 'c.zst.NEW3']);

    const real = await runRemoteGc(fx.lib, remote, { ...fast, graceMs: 24 * 3_600_000 });
    expect(real.stagingDeleted.map((f) => f.key)).toEqual(['.trove-tmp/a.zst.OLD1', '.trove-tmp/b.zst.OLD2']);
    expect(real.stagingBytesFreed).toBe(3000);
    expect(real.stagingFailed).toEqual([]);
    expect(fs.readdirSync(staging)).toEqual(['c.zst.NEW3']);
    // Every blob is still referenced and still there.
    expect(real.deleted).toEqual([]);
    const blobs = fx.lib.db.prepare("SELECT count(*) FROM file_sync_log WHERE state = 'UploadCompleted'").pluck().get();
    expect((await Promise.all(['rom/', 'manual/', 'box_art/'].map((p) => remote.list(p)))).flat()).toHaveLength(blobs as number);
  });

  it('a remote that does not stage in .trove-tmp/ (its own atomic_write_dir) plans no staging clean-up', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const remote = new OpendalRemote({ scheme: 'fs', options: { root: path.join(fx.root, 'remote'), atomic_write_dir: path.join(fx.root, 'elsewhere') } });
    expect(remote.features.stagingPrefix).toBeUndefined();
    const r = await runRemoteGc(fx.lib, remote, { ...fast, dryRun: true });
    expect(r.plan.staging).toEqual({ delete: [], keep: [] });
  });
});
