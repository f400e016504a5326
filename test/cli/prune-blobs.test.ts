// `trove prune-blobs` end to end through the built CLI, two devices on one remote (fs and s3rver):
// a blob a retained snapshot references survives until `snapshots prune` drops the last such
// snapshot (and the grace period has passed); the current catalogue's blobs are never deleted;
// metadata/ is never touched; a SIGKILL mid-run leaves a state the next run completes.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpendalRemote } from '../../src/sync/remote/opendal-remote.js';
import type { Remote } from '../../src/sync/remote/remote.js';
import { tempDir } from '../helpers/cli.js';
import { startS3rver, type S3Server } from '../helpers/s3rver.js';
import { addRelease, cliDevice, integrityOk, type CliDevice } from './sync-helpers.js';

const KILLED = 128;
let s3: S3Server;
const root = tempDir('trove-gc-');
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const sha1Of = (release: string) => createHash('sha1').update(`content of ${release}`).digest('hex');
const romKey = (release: string) => `rom/${sha1Of(release).slice(0, 2)}/${sha1Of(release)}.zst`;

/** Remove a release and its file sets from a device's catalogue; its `file` row stays (orphan). */
function removeRelease(d: CliDevice, release: string): void {
  const db = new Database(path.join(d.dir, 'collection.db'));
  try {
    db.transaction(() => {
      db.prepare('DELETE FROM file_set_file WHERE file_set_id IN (SELECT fs.id FROM file_set fs JOIN release r ON r.id = fs.release_id WHERE r.name = ?)').run(release);
      db.prepare('DELETE FROM file_set WHERE release_id IN (SELECT id FROM release WHERE name = ?)').run(release);
      db.prepare('DELETE FROM release WHERE name = ?').run(release);
    })();
    expect(db.prepare('SELECT count(*) AS n FROM file WHERE sha1 = ?').get(sha1Of(release))).toEqual({ n: 1 });
  } finally {
    db.close();
  }
}

function logState(d: CliDevice, release: string): string | undefined {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return (db.prepare('SELECT state FROM file_sync_log WHERE file_sha1 = ?').get(sha1Of(release)) as { state: string } | undefined)?.state;
  } finally {
    db.close();
  }
}

async function keysSizes(remote: Remote, prefix: string): Promise<string[]> {
  return (await remote.list(prefix)).map((e) => `${e.key}:${e.size}`);
}

describe.each(['fs', 's3'] as const)('trove prune-blobs on %s', (kind) => {
  let a: CliDevice;
  let b: CliDevice;
  let remote: Remote;
  const GRACE_0 = { TROVE_GC_GRACE: '0' };

  beforeAll(async () => {
    const dir = path.join(root, kind);
    let args: string[];
    let env: NodeJS.ProcessEnv = {};
    if (kind === 'fs') {
      fs.mkdirSync(path.join(dir, 'remote'), { recursive: true }); // an fs remote's root must exist
      args = ['fs', `root=${path.join(dir, 'remote')}`];
      remote = new OpendalRemote({ scheme: 'fs', options: { root: path.join(dir, 'remote') } });
    } else {
      const { access_key_id, secret_access_key, ...options } = s3.options('/gc/');
      args = ['s3', ...Object.entries(options).map(([k, v]) => `${k}=${v}`)];
      env = { AWS_ACCESS_KEY_ID: access_key_id, AWS_SECRET_ACCESS_KEY: secret_access_key };
      remote = new OpendalRemote({ scheme: 's3', options: s3.options('/gc/') });
    }
    a = await cliDevice(dir, 'alpha', args, env);
    b = await cliDevice(dir, 'beta', args, env);
    for (const r of ['One (USA)', 'Two (USA)', 'Three (USA)']) await addRelease(a, r);
    await a.ok(['upload']);
    await a.ok(['sync', 'push']);
    await b.ok(['sync', 'pull']);
  });

  it('keeps a blob a retained snapshot references; deletes it once pruning dropped the last such snapshot and the grace period passed', async () => {
    removeRelease(a, 'One (USA)');
    await a.ok(['sync', 'push']);
    const metadata = await keysSizes(remote, 'metadata/');

    const dry = await a.json(['prune-blobs', '--dry-run'], GRACE_0);
    expect(dry.plan.delete).toEqual([]);
    expect(dry.plan.referenced).toEqual({ catalogue: 2, snapshotsOnly: 1 });
    const kept = await a.json(['prune-blobs'], GRACE_0);
    expect(kept.deleted).toEqual([]);
    expect(await remote.stat(romKey('One (USA)'))).toBeDefined();

    // B moves its base to the new head, so the first snapshot is prunable; then it is pruned.
    await b.ok(['sync', 'pull']);
    const pruned = await b.json(['snapshots', 'prune', '--keep-last', '1']);
    expect(pruned.remove).toHaveLength(1);
    const metadataAfterPrune = await keysSizes(remote, 'metadata/');

    // Within the default grace period (24 h) the blob, uploaded seconds ago, stays.
    const graced = await a.json(['prune-blobs', '--dry-run']);
    expect(graced.graceMs).toBe(24 * 3600 * 1000);
    expect(graced.plan.keep).toEqual([expect.objectContaining({ key: romKey('One (USA)'), reason: 'within grace period' })]);
    expect(graced.plan.delete).toEqual([]);

    const text = await a.ok(['prune-blobs', '--dry-run', '--grace', '0']);
    expect(text.stdout).toContain(`would delete ${romKey('One (USA)')}`);
    expect(text.stdout).toMatch(/Would delete 1 blob\(s\)/);
    expect(await remote.stat(romKey('One (USA)'))).toBeDefined();

    const gc = await a.json(['prune-blobs', '--grace', '0']);
    expect(gc.deleted.map((d: { key: string }) => d.key)).toEqual([romKey('One (USA)')]);
    expect(gc.bytesFreed).toBeGreaterThan(0);
    expect(await remote.stat(romKey('One (USA)'))).toBeUndefined();
    for (const r of ['Two (USA)', 'Three (USA)']) expect(await remote.stat(romKey(r))).toBeDefined();
    expect(logState(a, 'One (USA)')).toBe('DeletionCompleted');
    expect((await a.json(['status'])).uploads).toMatchObject({ DeletionCompleted: 1, UploadCompleted: 2 });
    expect((await a.ok(['status'])).stdout).toMatch(/deletions: 0 pending, 0 in progress, 1 done, 0 failed/);
    // metadata/ is exactly what snapshots prune left; the updated log is an ordinary local change.
    expect(await keysSizes(remote, 'metadata/')).toEqual(metadataAfterPrune);
    expect(metadataAfterPrune).not.toEqual(metadata);
    await a.ok(['sync', 'push']);
    await b.ok(['sync', 'pull']);
    expect(logState(b, 'One (USA)')).toBe('DeletionCompleted');
  });

  it('never deletes a blob the current catalogue references, and keeps blobs the log never heard of unless told', async () => {
    await addRelease(a, 'Four (USA)');
    await a.ok(['upload']); // uploaded, not pushed: only A's catalogue references it
    const onA = await a.json(['prune-blobs', '--include-unknown'], GRACE_0);
    expect(onA.deleted).toEqual([]);
    expect(onA.plan.referenced.catalogue).toBe(3);
    // B has no row for it (A has not pushed): it is somebody's unpublished work.
    const onB = await b.json(['prune-blobs'], GRACE_0);
    expect(onB.deleted).toEqual([]);
    expect(onB.plan.keep).toEqual([expect.objectContaining({ key: romKey('Four (USA)'), reason: 'not in the sync log' })]);
    const dryB = await b.json(['prune-blobs', '--dry-run', '--include-unknown'], GRACE_0);
    expect(dryB.plan.delete.map((d: { key: string }) => d.key)).toEqual([romKey('Four (USA)')]);
    expect(await remote.stat(romKey('Four (USA)'))).toBeDefined();
    await a.ok(['sync', 'push']);
    await b.ok(['sync', 'pull']);
  });

  it('after a SIGKILL between a delete and its log update, the next run completes the work', async () => {
    removeRelease(a, 'Two (USA)');
    removeRelease(a, 'Three (USA)');
    await a.ok(['sync', 'push']);
    await b.ok(['sync', 'pull']);
    await b.ok(['snapshots', 'prune', '--keep-last', '1']);
    const metadata = await keysSizes(remote, 'metadata/');

    const crashed = await a.run(['prune-blobs', '--concurrency', '1'], { ...GRACE_0, TROVE_CRASH_AT: 'after-blob-delete' });
    expect(crashed.code).toBe(KILLED);
    expect(integrityOk(a)).toBe(true);
    const left = [romKey('Two (USA)'), romKey('Three (USA)')];
    const present = await Promise.all(left.map(async (k) => !!(await remote.stat(k))));
    expect(present.filter(Boolean)).toHaveLength(1); // one deleted, then the process died
    for (const r of ['Two (USA)', 'Three (USA)']) expect(logState(a, r)).toMatch(/^Deletion(Pending|InProgress)$/);

    const again = await a.json(['prune-blobs'], GRACE_0);
    expect(again.plan.settle).toEqual([{ sha1: expect.any(String), action: 'complete' }]);
    expect(again.deleted).toHaveLength(1);
    for (const k of left) expect(await remote.stat(k)).toBeUndefined();
    for (const r of ['Two (USA)', 'Three (USA)']) expect(logState(a, r)).toBe('DeletionCompleted');
    expect(await remote.stat(romKey('Four (USA)'))).toBeDefined();
    expect(await keysSizes(remote, 'metadata/')).toEqual(metadata);
    const third = await a.json(['prune-blobs'], GRACE_0);
    expect(third.plan.delete).toEqual([]);
    expect(third.plan.settle).toEqual([]);
  });

  // The re-check is backend-independent (it reads manifests and file lists): fs only, to keep the suite fast.
  it.runIf(kind === 'fs')('calls a deletion off when a snapshot pushed after the plan references the blob again', async () => {
    await addRelease(a, 'Five (USA)');
    await a.ok(['upload']);
    await a.ok(['sync', 'push']);
    await b.ok(['sync', 'pull']);
    removeRelease(a, 'Five (USA)');
    await a.ok(['sync', 'push']);
    await b.ok(['sync', 'pull']);
    await b.ok(['snapshots', 'prune', '--keep-last', '1']);

    const pause = path.join(root, `${kind}-pause`);
    const gc = a.run(['prune-blobs', '--json'], { ...GRACE_0, TROVE_PAUSE_AT: 'before-blob-deletes', TROVE_PAUSE_FILE: pause });
    while (!fs.existsSync(`${pause}.reached`)) await new Promise((r) => setTimeout(r, 20));
    expect(logState(a, 'Five (USA)')).toBe('DeletionPending');
    // Meanwhile B adds the same content again (its log says the remote has it: no upload) and pushes.
    await addRelease(b, 'Five (USA)');
    expect(logState(b, 'Five (USA)')).toBe('UploadCompleted');
    await b.ok(['sync', 'push']);
    fs.writeFileSync(pause, 'go');
    const r = await gc;
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.plan.delete.map((d: { key: string }) => d.key)).toEqual([romKey('Five (USA)')]);
    expect(report.deleted).toEqual([]);
    expect(report.calledOff).toEqual([expect.objectContaining({ key: romKey('Five (USA)'), reason: 'referenced by a snapshot pushed since the plan' })]);
    expect(await remote.stat(romKey('Five (USA)'))).toBeDefined();
    expect(logState(a, 'Five (USA)')).toBe('UploadCompleted');
  });
});

describe('trove prune-blobs and staging files (fs remote)', () => {
  it('deletes staging files left by an upload that never committed once they are older than the grace period; lists them in --dry-run and --json', async () => {
    const dir = path.join(root, 'staging');
    const remoteRoot = path.join(dir, 'remote');
    const d = await cliDevice(dir, 'gamma', ['fs', `root=${remoteRoot}`]);
    // A 12 MiB file of random bytes: streamed (more than 8 MiB stored). Its local blob rots, so its
    // upload is refused after the writer staged bytes in .trove-tmp/ (never renamed into place).
    const big = path.join(dir, 'big.iso');
    fs.writeFileSync(big, randomBytes(12 * 1024 * 1024));
    const sha1 = createHash('sha1').update(fs.readFileSync(big)).digest('hex');
    await d.ok(['add', big, '--system', 'Sony - PlayStation', '--release', 'Big (USA)']);
    const blob = path.join(d.dir, 'store', 'rom', sha1.slice(0, 2), `${sha1}.zst`);
    const bytes = fs.readFileSync(blob);
    bytes[bytes.length - 100]! ^= 0xff;
    fs.writeFileSync(blob, bytes);
    const up = await d.run(['upload']);
    expect(up.code).toBe(4);
    expect(up.stderr).toContain('trove verify');
    const staging = path.join(remoteRoot, '.trove-tmp');
    const left = fs.readdirSync(staging);
    expect(left.length).toBe(1);
    expect(left[0]!.startsWith(`${sha1}.zst.`)).toBe(true);
    expect(fs.existsSync(path.join(remoteRoot, 'rom', sha1.slice(0, 2), `${sha1}.zst`))).toBe(false);
    const key = `.trove-tmp/${left[0]}`;

    // Fresh: another device's upload might be writing it right now, so it stays.
    const fresh = await d.json(['prune-blobs', '--dry-run']);
    expect(fresh.plan.staging.keep).toEqual([expect.objectContaining({ key, reason: 'within grace period' })]);
    expect(fresh.plan.staging.delete).toEqual([]);
    expect((await d.ok(['prune-blobs'])).stdout).toMatch(/kept +\.trove-tmp\/\S+ .*staging file; within grace period/);
    expect(fs.readdirSync(staging)).toEqual(left);

    // Two days later.
    const old = new Date(Date.now() - 48 * 3600 * 1000);
    fs.utimesSync(path.join(staging, left[0]!), old, old);
    const dry = await d.ok(['prune-blobs', '--dry-run']);
    expect(dry.stdout).toContain(`would delete ${key}`);
    expect(dry.stdout).toMatch(/Would delete 1 staging file\(s\), \d/);
    expect(fs.readdirSync(staging)).toEqual(left);
    const dryJson = await d.json(['prune-blobs', '--dry-run']);
    expect(dryJson.plan.staging.delete).toEqual([expect.objectContaining({ key, size: fs.statSync(path.join(staging, left[0]!)).size })]);
    const gc = await d.json(['prune-blobs']);
    expect(gc.stagingDeleted.map((f: { key: string }) => f.key)).toEqual([key]);
    expect(gc.stagingBytesFreed).toBe(dryJson.plan.staging.delete[0].size);
    expect(fs.readdirSync(staging)).toEqual([]);
  });
});
