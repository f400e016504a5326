// `trove drop`: free local blobs whose remote copy is confirmed present. For each candidate from
// planDrop the remote object is stat'ed before the local file goes; anything unconfirmed is kept.
// A remote object of the local blob's size is confirmed by that (git-annex's numcopies check); one of
// another size (the same content compressed differently by another device, whose upload won) is read
// back and confirmed by content, SHA1 and size of the decompressed data, like every object with
// --verify: a copy that verifies is a good copy whatever its compressed size.
// Order: forget the local_blob row, delete the file, and if the delete fails (a read-only store, a
// permission) put the row back: a row is gone only once its file is. A crash between the two steps
// leaves an unrecorded blob (harmless: `trove verify` adopts it), never a row claiming a file that is
// gone.
import fsp from 'node:fs/promises';
import PQueue from 'p-queue';
import { blobKey, blobPath } from '../../store/blob/blob-key.js';
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { unmarkLocal } from '../../store/repo/files.js';
import { getLocalBlob, restoreLocalBlob } from '../../store/repo/local-blobs.js';
import type { Remote } from '../remote/remote.js';
import { stopsTheRun } from '../remote/remote-errors.js';
import type { DropPlan } from './drop-plan.js';
import { ProgressTracker } from './progress.js';
import { verifyRemoteBlob } from './remote-verify.js';
import { logNote } from './log-error.js';
import { getSyncEntry, requeueGone } from './sync-log.js';
import { configuredConcurrency, type ItemFailure, type TransferOptions } from './transfer-options.js';

export interface DropReport {
  dropped: number;
  bytesFreed: number;
  kept: { sha1: string; reason: string }[];
  failed: ItemFailure[];
  stoppedBy?: { code: string; message: string };
}

export async function runDrop(lib: Library, remote: Remote, plan: DropPlan, opts: TransferOptions & { verify?: boolean } = {}): Promise<DropReport> {
  const report: DropReport = { dropped: 0, bytesFreed: 0, kept: [...plan.keep], failed: [] };
  const sizes = new Map((lib.db.prepare('SELECT sha1, size FROM file').all() as { sha1: string; size: number }[]).map((r) => [r.sha1, r.size]));
  const tracker = new ProgressTracker('drop', opts.onProgress);
  tracker.start(plan.drop.length, plan.drop.reduce((a, d) => a + d.storedBytes, 0));
  const queue = new PQueue({ concurrency: opts.concurrency ?? configuredConcurrency(lib) });
  let stopped = false;
  const one = async (d: DropPlan['drop'][number]) => {
    if (stopped) return;
    const key = blobKey(d.remoteType, d.sha1);
    tracker.begin(key);
    try {
      const st = await remote.stat(key);
      if (!st) {
        // The log said UploadCompleted and the object is gone (deleted by a clean-up on another
        // device, or lost): queue it again, so that the next `trove upload` puts it back.
        const requeued = requeueMissing(lib, d.sha1);
        report.kept.push({
          sha1: d.sha1,
          reason: `remote object is missing on ${remote.description}: kept the local copy` + (requeued ? ' and queued it for upload again (run `trove upload`)' : ' (run `trove upload`)'),
        });
        tracker.done(key, d.sha1, 'skipped');
        return;
      }
      // Throws CHECKSUM_MISMATCH / CORRUPT_BLOB for a damaged object: the item fails, the file stays.
      if (opts.verify || st.size !== d.storedBytes) await verifyRemoteBlob(remote, key, { sha1: d.sha1, size: sizes.get(d.sha1) });
      await deleteLocalBlob(lib, d);
      report.dropped++;
      report.bytesFreed += d.storedBytes;
      tracker.done(key, d.sha1, 'done', d.storedBytes);
    } catch (raw) {
      const err = raw instanceof TroveError ? raw : new TroveError('IO', `drop ${key}: ${(raw as Error).message}`);
      report.failed.push({ sha1: d.sha1, key, code: err.code, message: err.message });
      tracker.failed(key, d.sha1, err.code, err.message);
      if (stopsTheRun(err.code) && !stopped) {
        stopped = true;
        report.stoppedBy = { code: err.code, message: err.message };
        queue.clear();
      }
    }
  };
  const bugs: unknown[] = [];
  for (const d of plan.drop) queue.add(() => one(d)).catch((err) => bugs.push(err));
  await queue.onIdle();
  if (bugs.length) throw bugs[0];
  tracker.end();
  return report;
}

/**
 * An UploadCompleted row whose object the remote does not have: back to UploadPending (the
 * "reupload" edge, as `upload --verify` does for a missing object). Checked and changed in one
 * transaction; a row another process moved meanwhile is left as it is. Whether it was requeued.
 */
function requeueMissing(lib: Library, sha1: string): boolean {
  return lib.db.transaction(() => {
    if (getSyncEntry(lib.db, sha1)?.state !== 'UploadCompleted') return false;
    requeueGone(lib.db, sha1, logNote('the remote object was missing when this device checked it before dropping its local copy: uploading it again'));
    return true;
  }).immediate();
}

/** Forget the row, delete the file; if the delete fails, the row is put back and the error thrown. */
async function deleteLocalBlob(lib: Library, d: { sha1: string; type: string }): Promise<void> {
  const row = getLocalBlob(lib.state, d.sha1);
  // Where the blob is, from this device's record (it may differ from the catalogue's type).
  const file = blobPath(lib.paths.storeDir, row?.type ?? d.type, d.sha1);
  unmarkLocal(lib.state, 'main', d.sha1);
  try {
    // unlink, not rm: rm reports a refused unlink (EPERM) as ENOTDIR after trying rmdir.
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (row) restoreLocalBlob(lib.state, row);
    throw new TroveError('IO', `cannot delete ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): kept, still counted as here`, { cause: err });
  }
}
