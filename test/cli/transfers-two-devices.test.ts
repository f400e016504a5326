// Transfers between two devices (libraries) on one fs remote, end to end through the built CLI: what
// one device's log says about a blob and what the remote holds drift apart until the next sync, and
// the commands must act on the truth, not on a stale row (QA2 D7, D6, D3).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { ATARI } from '../store/catalog/real-dats.js';
import { cliDevice, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-xfer2-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Two devices on a fresh fs remote, in sync (P pushed one uploaded release, Q pulled it). */
async function pair(name: string): Promise<{ p: CliDevice; q: CliDevice; remoteDir: string }> {
  const dir = path.join(root, name);
  const remoteDir = path.join(dir, 'remote');
  const p = await cliDevice(dir, 'P', ['fs', `root=${remoteDir}`]);
  const q = await cliDevice(dir, 'Q', ['fs', `root=${remoteDir}`]);
  await addFile(p, 'P1 (USA)', 5_000);
  await p.ok(['upload']);
  await p.ok(['sync', 'push']);
  await q.ok(['sync', 'pull']);
  return { p, q, remoteDir };
}

/** `trove add` a file of random bytes as a release of "Sys P"; its sha1. */
async function addFile(d: CliDevice, release: string, bytes: number): Promise<string> {
  const data = randomBytes(bytes);
  const file = path.join(d.dir, '..', `${release.replace(/\W+/g, '_')}.bin`);
  fs.writeFileSync(file, data);
  await d.ok(['add', file, '--system', 'Sys P', '--release', release]);
  return createHash('sha1').update(data).digest('hex');
}

function logState(d: CliDevice, sha1: string): string | undefined {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return db.prepare('SELECT state FROM file_sync_log WHERE file_sha1 = ?').pluck().get(sha1) as string | undefined;
  } finally {
    db.close();
  }
}

const onRemote = (remoteDir: string, sha1: string) => fs.existsSync(path.join(remoteDir, 'rom', sha1.slice(0, 2), `${sha1}.zst`));

function ndjsonResult(stdout: string): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('a blob prune-blobs deleted while another device still needed it goes up again (QA2 D7)', () => {
  it('the QA sequence: upload, prune-blobs --include-unknown --grace 0 on the other device, drop, sync both ways; `upload` puts it back', async () => {
    const { p, q, remoteDir } = await pair('d7-qa');
    const sha1 = await addFile(q, 'Q4 (USA)', 500_000);
    await q.ok(['upload']);
    expect(onRemote(remoteDir, sha1)).toBe(true);
    // P has never heard of the blob (Q has not pushed): --include-unknown with no grace deletes it.
    const prune = await p.ok(['prune-blobs', '--grace', '0', '--include-unknown']);
    expect(prune.stdout).toContain(`deleted rom/${sha1.slice(0, 2)}/${sha1}.zst`);
    expect(onRemote(remoteDir, sha1)).toBe(false);
    // Q's drop finds the object gone: keeps the only copy, and its advice must do something.
    const drop = await q.ok(['drop', 'Q4 (USA)']);
    expect(drop.stdout).toMatch(/dropped 0 local blob/);
    expect(drop.stdout).toContain('remote object is missing');
    expect(drop.stdout).toContain('queued it for upload again (run `trove upload`)');
    await q.ok(['sync', 'push']);
    await p.ok(['sync', 'pull', '--resolve', 'merge']);
    await q.ok(['sync', 'pull']);
    const up = await q.ok(['upload']);
    expect(up.stdout).toMatch(/Uploaded 1 blob\(s\)/);
    expect(onRemote(remoteDir, sha1)).toBe(true);
    expect(logState(q, sha1)).toBe('UploadCompleted');
    // The other device gets it once Q pushes.
    await q.ok(['sync', 'push']);
    await p.ok(['sync', 'pull']);
    const dl = await p.run(['download', 'Q4 (USA)']);
    expect(dl.code, dl.stderr).toBe(0);
    expect(dl.stdout).toMatch(/downloaded 1 file/);
    const verify = await q.run(['upload', '--verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(ndjsonResult(verify.stdout).verify.bad).toEqual([]);
  });

  it('without the drop: the merged log says DeletionCompleted on both devices, and `upload --verify` (what drop used to advise) uploads it again', async () => {
    const { p, q, remoteDir } = await pair('d7-merged');
    const sha1 = await addFile(q, 'Q9 (USA)', 200_000);
    await q.ok(['upload']);
    await p.ok(['prune-blobs', '--grace', '0', '--include-unknown']);
    await q.ok(['sync', 'push']);
    await p.ok(['sync', 'pull', '--resolve', 'merge']);
    await q.ok(['sync', 'pull']);
    expect(logState(q, sha1)).toBe('DeletionCompleted');
    expect(logState(p, sha1)).toBe('DeletionCompleted');
    // Q holds the only copy of a file its catalogue references.
    const files = await q.json<{ sha1: string; availability: string }[]>(['ls', 'files']);
    expect(files.find((f) => f.sha1 === sha1)?.availability).toBe('LocalOnly');
    const up = await q.run(['upload', '--verify', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const result = ndjsonResult(up.stdout);
    expect(result).toMatchObject({ uploaded: 1, requeuedDeleted: 1, failed: [] });
    expect(result.verify.bad).toEqual([]);
    expect(onRemote(remoteDir, sha1)).toBe(true);
    expect(logState(q, sha1)).toBe('UploadCompleted');
    const text = await q.ok(['upload']);
    expect(text.stdout).toMatch(/Uploaded 0 blob\(s\)/); // nothing left to do
    // P, which still says DeletionCompleted, takes it from the remote (it checks before it says no).
    const dl = await p.run(['download', 'Q9 (USA)']);
    expect(dl.code, dl.stderr).toBe(0);
    expect(dl.stdout).toMatch(/downloaded 1 file/);
  });
});

describe('download asks the remote about files another device may have uploaded since the last pull (QA2 D6)', () => {
  it('a file the catalogue says is UploadPending: not there yet is said truthfully; once uploaded it is downloaded without a sync', async () => {
    const { p, q, remoteDir } = await pair('d6');
    const sha1 = await addFile(p, 'P2 (USA)', 30_000);
    await p.ok(['sync', 'push']); // P2's file is UploadPending in the pushed log
    await q.ok(['sync', 'pull']);
    expect(logState(q, sha1)).toBe('UploadPending');
    const before = await q.run(['download', 'P2 (USA)']);
    expect(before.code).toBe(1);
    expect(before.stderr).not.toContain('neither here nor on the remote');
    expect(before.stderr).toContain(`${sha1} (rom) is not on this device and not on the remote yet: a device that holds it has its upload queued (UploadPending)`);
    expect(before.stdout).toContain('1 not available for download (not uploaded yet by the device that holds them)');
    await p.ok(['upload']); // now on the remote; Q's log still says UploadPending
    expect(onRemote(remoteDir, sha1)).toBe(true);
    const dl = await q.run(['download', 'P2 (USA)', '--json']);
    expect(dl.code, dl.stderr).toBe(0);
    expect(ndjsonResult(dl.stdout)).toMatchObject({ downloaded: 1, failed: [], unavailable: { count: 0 } });
    const files = await q.json<{ sha1: string; availability: string }[]>(['ls', 'files']);
    expect(files.find((f) => f.sha1 === sha1)?.availability).toBe('LocalOnly'); // the log is P's to update, with its next push
    expect((await q.ok(['verify'])).code).toBe(0);
    expect(logState(q, sha1)).toBe('UploadPending');
  });
});

describe('download-all with an imported DAT: roms nobody owns are counted, not failures (QA2 D3)', () => {
  it('exits 0 once everything that exists is here; reports the missing as a count and a bounded list; `download` of such a release still fails', async () => {
    const { p, q } = await pair('d3');
    await p.ok(['dat', 'import', ATARI]);
    await addFile(p, 'P3 (USA)', 20_000);
    await p.ok(['upload']);
    await p.ok(['sync', 'push']);
    await q.ok(['sync', 'pull']);
    const all = await q.run(['download-all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toBe('');
    expect(all.stdout).toMatch(/all systems: downloaded 2 file\(s\), .*; 0 already here; 905 not available for download \(not uploaded by any device\)/);
    const again = await q.run(['download-all', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const result = ndjsonResult(again.stdout);
    expect(result).toMatchObject({ type: 'result', downloaded: 0, alreadyLocal: 2, failed: [], unavailable: { count: 905, neverUploaded: 905, notUploadedYet: 0, deleted: 0, truncated: true } });
    expect(result.unavailable.files).toHaveLength(100);
    expect(result.unavailable.files[0]).toMatchObject({ type: 'rom', state: null, reason: 'never-uploaded', message: expect.stringContaining('no device has uploaded it') });
    // Naming one such release is asking for a file that exists nowhere: that still fails.
    const one = await q.run(['download', '3-D Genesis (USA) (Proto)']);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/^trove: [0-9a-f]{40} \(rom\) is not on this device and no device has uploaded it/m);
    const oneJson = await q.run(['download', '3-D Genesis (USA) (Proto)', '--json']);
    expect(oneJson.code).toBe(1);
    expect(ndjsonResult(oneJson.stdout)).toMatchObject({ failed: [{ code: 'NOT_AVAILABLE' }], unavailable: { count: 1, neverUploaded: 1 } });
  });
});

describe('download summaries print names from outside through printable()', () => {
  it('a release name with terminal escapes is shown escaped', async () => {
    const dir = path.join(root, 'escape');
    const d = await cliDevice(dir, 'E', ['fs', `root=${path.join(dir, 'remote')}`]);
    const name = 'Evil\x1b]0;PWNED\x07 (USA)';
    await addFile(d, name, 1_000);
    const r = await d.run(['download', name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Evil\\x1b]0;PWNED\\x07 (USA): downloaded 0 file(s)');
    expect(r.stdout).not.toContain('\x1b');
  });
});

describe('a download refused for lack of space changes nothing (QA2-E F2)', () => {
  it('its request does not stay queued, so a later download is judged on its own size', async () => {
    const { q } = await pair('no-space');
    // The remote object as far larger than any disk here (the size the uploading device recorded).
    const db = new Database(path.join(q.dir, 'collection.db'));
    db.prepare('UPDATE file_sync_log SET stored_bytes = ?').run(1e15);
    db.close();
    const r = await q.run(['download-all']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not enough free space .* nothing was downloaded/);
    const state = new Database(path.join(q.dir, 'state.db'), { readonly: true });
    try {
      expect(state.prepare('SELECT count(*) FROM download_queue').pluck().get()).toBe(0);
    } finally {
      state.close();
    }
  });
});
