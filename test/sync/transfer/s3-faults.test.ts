// Faults against a real S3 server (s3rver in a child process): an outage in the middle of an upload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKey } from '../../../src/store/blob/blob-key.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
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
