// runDrop against the real fs backend: a remote copy is confirmed by size, or by content when its
// size differs; a local row goes only once its file is gone.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { planDrop } from '../../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../../src/sync/transfer/drop-worker.js';
import { targetFiles } from '../../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { FaultyRemote } from './faulty-remote.js';
import { libraryWithFiles, type Fixture } from './library-fixture.js';
import { lockFolder } from '../../helpers/lock-folder.js';

let fx: Fixture;
afterEach(() => fx?.cleanup());
const noSleep = { sleep: async () => undefined, random: () => 0 };

async function uploaded(): Promise<{ remote: FaultyRemote; remoteRoot: string; target: { sha1: string; type: string } }> {
  fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
  const remoteRoot = path.join(fx.root, 'remote');
  const remote = new FaultyRemote(new OpendalRemote({ scheme: 'fs', options: { root: remoteRoot } }));
  await runUploads(fx.lib, remote, noSleep);
  const [target] = targetFiles(fx.lib.db, {});
  return { remote, remoteRoot, target: target! };
}

const isLocal = (sha1: string) => !!fx.lib.state.prepare('SELECT 1 FROM local_blob WHERE sha1 = ?').get(sha1);
const dropAll = (remote: FaultyRemote, verify?: boolean) => runDrop(fx.lib, remote, planDrop(targetFiles(fx.lib.db, {})), { verify });

/** A zstd skippable frame: valid in any zstd stream, adds bytes, changes no content. */
function skippableFrame(n: number): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a50, 0);
  head.writeUInt32LE(n, 4);
  return Buffer.concat([head, Buffer.alloc(n, 7)]);
}

describe('runDrop', () => {
  for (const verify of [false, true]) {
    it(`accepts a remote copy of another compressed size that verifies by content${verify ? ' (--verify)' : ''}`, async () => {
      const { remote, remoteRoot, target } = await uploaded();
      // Another device compressed the same content differently, and its upload won.
      fs.appendFileSync(path.join(remoteRoot, blobKey(target.type, target.sha1)), skippableFrame(100));
      const report = await dropAll(remote, verify);
      expect(report.kept).toEqual([]);
      expect(report.failed).toEqual([]);
      expect(report.dropped).toBe(targetFiles(fx.lib.db, {}).length);
      expect(fs.existsSync(blobPath(fx.lib.paths.storeDir, target.type, target.sha1))).toBe(false);
      expect(isLocal(target.sha1)).toBe(false);
      // Without --verify only the object whose size differs was read back.
      expect(remote.calls.read).toBe(verify ? report.dropped : 1);
    });
  }

  it('keeps the local copy of an object gone from the remote and queues it for upload again, so that `trove upload` puts it back', async () => {
    const { remote, remoteRoot, target } = await uploaded();
    fs.rmSync(path.join(remoteRoot, blobKey(target.type, target.sha1)));
    const report = await dropAll(remote);
    expect(report.kept).toEqual([{ sha1: target.sha1, reason: expect.stringContaining('queued it for upload again (run `trove upload`)') }]);
    expect(isLocal(target.sha1)).toBe(true);
    expect(fx.lib.db.prepare('SELECT state, stored_bytes AS storedBytes FROM file_sync_log WHERE file_sha1 = ?').get(target.sha1)).toEqual({ state: 'UploadPending', storedBytes: null });
    const up = await runUploads(fx.lib, remote, noSleep);
    expect(up.uploaded).toBe(1);
    expect(fs.existsSync(path.join(remoteRoot, blobKey(target.type, target.sha1)))).toBe(true);
  });

  it('keeps the local copy when a remote copy of another size does not verify', async () => {
    const { remote, remoteRoot, target } = await uploaded();
    const key = path.join(remoteRoot, blobKey(target.type, target.sha1));
    const bytes = fs.readFileSync(key);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(key, Buffer.concat([bytes, Buffer.from('x')]));
    const report = await dropAll(remote);
    expect(report.failed).toEqual([expect.objectContaining({ sha1: target.sha1, code: expect.stringMatching(/CHECKSUM_MISMATCH|CORRUPT_BLOB/) })]);
    expect(fs.existsSync(blobPath(fx.lib.paths.storeDir, target.type, target.sha1))).toBe(true);
    expect(isLocal(target.sha1)).toBe(true);
  });

  it('keeps the row of a file it cannot delete (a store it cannot write), and drops it once it can', async () => {
    const { remote, target } = await uploaded();
    const dir = path.dirname(blobPath(fx.lib.paths.storeDir, target.type, target.sha1));
    const undeletable = lockFolder(dir);
    if (!undeletable) return; // neither chattr (root) nor permissions can stop a delete here
    let report;
    try {
      report = await dropAll(remote);
    } finally {
      undeletable();
    }
    expect(report.failed).toEqual([expect.objectContaining({ sha1: target.sha1, code: 'IO', message: expect.stringMatching(/cannot delete .*\((EPERM|EACCES|EROFS)\): kept, still counted as here/) })]);
    expect(fs.existsSync(blobPath(fx.lib.paths.storeDir, target.type, target.sha1))).toBe(true);
    expect(isLocal(target.sha1)).toBe(true);
    const again = await dropAll(remote);
    expect(again.failed).toEqual([]);
    expect(isLocal(target.sha1)).toBe(false);
  });
});
