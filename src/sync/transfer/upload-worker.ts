// The upload worker: moves local blobs to the remote, driven by file_sync_log. A p-queue runs
// `concurrency` uploads at once; each item goes Pending → InProgress → Completed | Failed through
// the state machine. Every byte sent is checked on the way (upload-source.ts): a local blob that
// rotted fails its item (CHECKSUM_MISMATCH / CORRUPT_BLOB) and never replaces the remote object.
// Crash safety: on start InProgress goes back to Pending; an item that was tried before
// (attempts > 0), or whose conditional write said ALREADY_EXISTS, first looks at the remote: an
// object of the right size is read back and checked, and accepted instead of uploaded again only
// if it verifies (a crash between the PUT and the log update). Size alone never suffices: bit rot
// keeps the size, and `upload --verify` re-queues exactly such objects. Anything else is
// overwritten. Completed is written only after the remote acknowledged the whole object.
import PQueue from 'p-queue';
import { blobKey, blobPath } from '../../store/blob/blob-key.js';
import { TroveError, withContext } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { ProgressTracker } from './progress.js';
import { decide } from './retry-policy.js';
import { configuredConcurrency, sleepMs, type ItemFailure, type TransferOptions } from './transfer-options.js';
import { withRunnerLock } from '../../store/runner-lock.js';
import { logError } from './log-error.js';
import { applyEvent, getSyncEntry, pendingUploads, recordUploaded, queueUntrackedLocalBlobs, recoverInProgress, requeueDeletedReferencedBlobs, requeueFailedUploads, type UploadCandidate } from './sync-log.js';
import { objectIsBad, verifyRemoteBlob, verifyRemoteBlobs, type VerifyReport } from './remote-verify.js';
import { readVerifiedBlob, streamVerifiedBlob, type LocalBlob } from './upload-source.js';
import { WriteBatch } from './write-batch.js';

/** Blobs up to this size go up in one PUT from memory; larger ones stream in 8 MiB parts. */
const WHOLE_OBJECT_BYTES = 8 * 1024 * 1024;

export interface UploadReport {
  uploaded: number;
  /** Found on the remote, read back and verified, after an earlier interrupted attempt. */
  alreadyPresent: number;
  failed: ItemFailure[];
  /** Pending uploads whose blob is not on this device (another device holds it). */
  notHere: number;
  /**
   * Blobs this device holds and the catalogue references whose remote copy a clean-up deleted
   * (DeletionCompleted / DeletionFailed): queued again by this run (the "reupload" edge).
   */
  requeuedDeleted: number;
  /**
   * Blobs this device holds and the catalogue references whose remote deletion is unfinished
   * (DeletionPending / DeletionInProgress): left to `trove prune-blobs`, which settles them.
   */
  unsettledDeletions: number;
  bytes: number;
  /** The error that stopped the run early (auth, missing bucket, remote down after retries). */
  stoppedBy?: { code: string; message: string };
  verify?: UploadVerifyReport;
}

/** What `--verify` found (`bad`), and of that, what this run repaired and what is still wrong. */
export interface UploadVerifyReport extends VerifyReport {
  /** Missing or damaged objects uploaded again in this run, then read back and verified. */
  repaired: ItemFailure[];
  /** Missing or damaged objects still not right at the end (queued for upload again). */
  unrepaired: ItemFailure[];
}

/**
 * The remote object's size if it is there, of the local blob's size, and verifies (zstd frames,
 * SHA1, size: as `upload --verify` checks it); undefined when it is absent, of another size, or
 * damaged — then the caller writes it. Remote trouble (unreachable, refused) throws.
 */
async function verifiedPresent(remote: Remote, blob: LocalBlob, storedBytes: number): Promise<number | undefined> {
  const st = await remote.stat(blob.key);
  if (!st || st.size !== storedBytes) return undefined;
  try {
    await verifyRemoteBlob(remote, blob.key, blob.expected);
    return st.size;
  } catch (err) {
    if (objectIsBad(err)) return undefined;
    throw err;
  }
}

export interface UploadOptions extends TransferOptions {
  /** Re-download and check every UploadCompleted object afterwards; re-upload what is bad. */
  verify?: boolean;
  /** Upload only these blobs (by SHA1); the rest stay pending. */
  only?: ReadonlySet<string>;
}

export async function runUploads(lib: Library, remote: Remote, opts: UploadOptions = {}): Promise<UploadReport> {
  // One runner at a time: the recovery below would take another live run's rows (runner-lock.ts).
  return withRunnerLock(lib.paths.dir, 'upload', () => runUploadsLocked(lib, remote, opts));
}

async function runUploadsLocked(lib: Library, remote: Remote, opts: UploadOptions): Promise<UploadReport> {
  const db = lib.db;
  recoverInProgress(db);
  requeueFailedUploads(db);
  queueUntrackedLocalBlobs(db);
  const deleted = requeueDeletedReferencedBlobs(db);
  const report: UploadReport = { uploaded: 0, alreadyPresent: 0, failed: [], notHere: 0, requeuedDeleted: deleted.requeued.length, unsettledDeletions: deleted.unsettled, bytes: 0 };
  const pending = pendingUploads(db);
  const ready = opts.only ? pending.ready.filter((c) => opts.only!.has(c.sha1)) : pending.ready;
  const notHere = pending.notHere;
  report.notHere = notHere;
  const tracker = new ProgressTracker('upload', opts.onProgress);
  tracker.start(ready.length, ready.reduce((a, c) => a + c.storedBytes, 0));
  await uploadBatch(lib, remote, ready, tracker, report, opts);
  if (opts.verify && !report.stoppedBy) {
    const found = await verifyRemoteBlobs(lib, remote, opts);
    const verify: UploadVerifyReport = { ...found, repaired: [], unrepaired: found.bad };
    report.verify = verify;
    // Objects found missing or damaged went back to UploadPending: upload them again now.
    const again = pendingUploads(db).ready;
    if (again.length && !found.stoppedBy) {
      tracker.grow(again.length, again.reduce((a, c) => a + c.storedBytes, 0));
      await uploadBatch(lib, remote, again, tracker, report, opts);
      // Read each replacement back: a repair counts only once the remote holds a good copy.
      const replaced = new Set(found.bad.filter((b) => getSyncEntry(db, b.sha1)?.state === 'UploadCompleted').map((b) => b.sha1));
      if (replaced.size && !report.stoppedBy) {
        const good = new Set<string>();
        const check = await verifyRemoteBlobs(lib, remote, { ...opts, only: replaced, onGood: (sha1) => good.add(sha1) });
        report.stoppedBy ??= check.stoppedBy;
        verify.repaired = found.bad.filter((b) => good.has(b.sha1));
        verify.unrepaired = found.bad.filter((b) => !good.has(b.sha1));
      }
    }
    report.stoppedBy ??= found.stoppedBy;
  }
  tracker.end();
  return report;
}

async function uploadBatch(
  lib: Library,
  remote: Remote,
  items: UploadCandidate[],
  tracker: ProgressTracker,
  report: UploadReport,
  opts: TransferOptions,
): Promise<void> {
  const db = lib.db;
  const sleep = opts.sleep ?? sleepMs;
  const queue = new PQueue({ concurrency: opts.concurrency ?? configuredConcurrency(lib) });
  let stopped = false;
  // Log writes in batches (see write-batch.ts). Completed is recorded only after the PUT returned.
  const log = new WriteBatch(db);
  const record = (sha1: string, event: Parameters<typeof applyEvent>[2], error?: Parameters<typeof applyEvent>[3]) => log.add(() => applyEvent(db, sha1, event, error));

  const uploadOne = async (c: UploadCandidate) => {
    const key = blobKey(c.type, c.sha1);
    // Read from where this device's blob is (local_blob.type), write under the log's type
    // (file_sync_log.type): the two differ after a merge changed the content's type (docs/store.md).
    const blob: LocalBlob = { file: blobPath(lib.paths.storeDir, c.localType, c.sha1), key, expected: { sha1: c.sha1, size: c.size } };
    await opts.beforeItem?.(key); // a paused caller holds new items here; items in flight finish
    if (stopped) return;
    tracker.begin(key);
    // Look at the remote before writing: set when an earlier attempt may have landed, or when a
    // conditional write said the object exists (once: the write after that is unconditional).
    let lookFirst = c.attempts > 0;
    let toldExists = false;
    for (let attempt = 1; ; attempt++) {
      if (stopped) return; // stays UploadPending for the next run
      record(c.sha1, 'start');
      let sent = 0;
      try {
        if (lookFirst || attempt > 1) {
          // Tried before: the PUT may have landed without the log hearing of it. Accepted only if
          // it verifies; a damaged object of the right size is written over.
          const present = await verifiedPresent(remote, blob, c.storedBytes);
          if (present !== undefined) {
            log.add(() => recordUploaded(db, c.sha1, present));
            report.alreadyPresent++;
            tracker.done(key, c.sha1, 'skipped', c.storedBytes);
            return;
          }
        }
        if (c.storedBytes <= WHOLE_OBJECT_BYTES) {
          const body = await readVerifiedBlob(blob);
          await remote.write(key, body);
          sent = body.length;
          tracker.addBytes(sent);
        } else {
          await remote.write(
            key,
            streamVerifiedBlob(blob, (n) => {
              sent += n;
              tracker.addBytes(n);
              tracker.setItemBytes(key, sent);
            }),
          );
        }
        log.add(() => recordUploaded(db, c.sha1, sent));
        report.uploaded++;
        report.bytes += sent;
        tracker.done(key, c.sha1, 'done');
        return;
      } catch (raw) {
        tracker.addBytes(-sent);
        const err = raw instanceof TroveError ? raw : withContext(`upload ${key}`, raw);
        if (err.code === 'ALREADY_EXISTS' && !toldExists && !stopped) {
          // A conditional write found an object there: check it like a crash leftover, then write
          // over it unless it verifies. Never accepted unseen.
          toldExists = true;
          lookFirst = true;
          record(c.sha1, 'retry', logError('upload', key, err));
          continue;
        }
        const d = decide(err.code, attempt, opts, opts.random);
        if (d.action === 'retry' && !stopped) {
          record(c.sha1, 'retry', logError('upload', key, err));
          tracker.retry(key, c.sha1, attempt, d.delayMs, err.code, err.message);
          await sleep(d.delayMs);
          continue;
        }
        record(c.sha1, 'fail', logError('upload', key, err));
        report.failed.push({ sha1: c.sha1, key, code: err.code, message: err.message });
        tracker.failed(key, c.sha1, err.code, err.message);
        if (d.action === 'stop-run' && !stopped) {
          stopped = true;
          report.stoppedBy = { code: err.code, message: err.message };
          queue.clear();
        }
        return;
      }
    }
  };

  // Tasks dropped by queue.clear() never settle, so wait for idleness, not for every task's promise.
  const bugs: unknown[] = [];
  for (const c of items) queue.add(() => uploadOne(c)).catch((err) => bugs.push(err));
  try {
    await queue.onIdle();
  } finally {
    log.flush();
  }
  if (bugs.length) throw bugs[0];
}
