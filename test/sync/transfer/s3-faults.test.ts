// Faults against a real S3 server (s3rver in a child process): an outage in the middle of an upload;
// local blobs that rotted, which must never reach the bucket (one PUT, and a multipart upload).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
import { applyEvent } from '../../../src/sync/transfer/sync-log.js';
import { allSyncRows, libraryWithFiles, type Fixture } from './library-fixture.js';

let s3: S3Server;
let fx: Fixture;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  fx?.cleanup();
  await s3?.stop();
});

describe('upload through an s3 outage', () => {
  it('s3rver stopped mid-upload and restarted: nothing is Completed that is not on the remote, and a rerun completes', async () => {
    fx = await libraryWithFiles({ systems: 3, titlesPerSystem: 4 });
    const remote = new OpendalRemote({ scheme: 's3', options: s3.options('/outage') });
    const total = allSyncRows(fx.lib).length;
    // The real server goes down while uploads are in flight (SIGTERM to the s3rver child).
    let stopping: Promise<void> | undefined;
    const first = await runUploads(fx.lib, remote, {
      concurrency: 1,
      baseMs: 50,
      maxAttempts: 3,
      onProgress: (e) => {
        if (e.type === 'item' && e.filesDone === 3 && !stopping) stopping = s3.stop();
      },
      // The next items wait until the server is really gone (under load, the remaining small
      // uploads could otherwise all finish before s3rver exits).
      beforeItem: async () => {
        await stopping;
      },
    });
    await stopping;
    expect(first.stoppedBy?.code).toBe('REMOTE_UNAVAILABLE');
    expect(first.uploaded).toBeLessThan(total);
    expect(first.uploaded).toBeGreaterThanOrEqual(3);
    await s3.restart();
    // The log's word against the server's: every Completed row has its object, of the local size.
    const completed = allSyncRows(fx.lib).filter((r) => r.state === 'UploadCompleted');
    expect(completed.length).toBe(first.uploaded);
    for (const r of completed) expect(await remote.stat(blobKey(r.type, r.sha1))).toBeDefined();
    expect(allSyncRows(fx.lib).some((r) => r.state === 'UploadInProgress')).toBe(false);

    const second = await runUploads(fx.lib, remote, { concurrency: 2, baseMs: 20 });
    expect(second.failed).toEqual([]);
    const rows = allSyncRows(fx.lib);
    expect(rows.every((r) => r.state === 'UploadCompleted')).toBe(true);
    const listed = new Map((await remote.list('')).map((e) => [e.key, e.size]));
    for (const r of rows) expect(listed.has(blobKey(r.type, r.sha1))).toBe(true);
  });
});

describe('a rotted local blob never reaches s3', () => {
  it('neither by one PUT nor by a multipart upload; a good object already there is left as it was', async () => {
    fx?.cleanup();
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1, bigFileBytes: 24 * 1024 * 1024 });
    const remote = new OpendalRemote({ scheme: 's3', options: s3.options('/rot') });
    const stored = (sha1: string) => (fx.lib.db.prepare('SELECT stored_bytes AS n FROM state.local_blob WHERE sha1 = ?').get(sha1) as { n: number }).n;
    const rows = allSyncRows(fx.lib);
    const big = rows.find((r) => stored(r.sha1) > 8 * 1024 * 1024)!;
    const small = rows.find((r) => stored(r.sha1) <= 8 * 1024 * 1024)!;
    const uploadedFirst = rows.find((r) => r !== big && r !== small)!;
    // A good copy of one blob is on the bucket already (another device uploaded it).
    const first = await runUploads(fx.lib, remote, { only: new Set([uploadedFirst.sha1]) });
    expect(first.uploaded).toBe(1);
    const goodBytes = await remote.readAll(blobKey(uploadedFirst.type, uploadedFirst.sha1));
    applyEvent(fx.lib.db, uploadedFirst.sha1, 'reupload');
    const rot = (r: { type: string; sha1: string }) => {
      const file = blobPath(fx.lib.paths.storeDir, r.type, r.sha1);
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 20]! ^= 0xff;
      fs.writeFileSync(file, bytes);
    };
    for (const r of [big, small, uploadedFirst]) rot(r);
    const report = await runUploads(fx.lib, remote, { concurrency: 2 });
    expect(report.failed.map((f) => f.sha1).sort()).toEqual([big.sha1, small.sha1, uploadedFirst.sha1].sort());
    for (const f of report.failed) {
      expect(['CHECKSUM_MISMATCH', 'CORRUPT_BLOB']).toContain(f.code);
      expect(f.message).toContain('trove verify');
    }
    expect(await remote.stat(blobKey(big.type, big.sha1))).toBeUndefined();
    expect(await remote.stat(blobKey(small.type, small.sha1))).toBeUndefined();
    expect((await remote.readAll(blobKey(uploadedFirst.type, uploadedFirst.sha1))).equals(goodBytes)).toBe(true);
    const after = allSyncRows(fx.lib);
    for (const r of [big, small, uploadedFirst]) expect(after.find((x) => x.sha1 === r.sha1)!.state).toBe('UploadFailed');
    expect(after.filter((r) => r.state === 'UploadCompleted')).toHaveLength(rows.length - 3);
  });
});
