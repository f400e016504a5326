// `trove upload --verify`: download every object the log calls UploadCompleted and check it the way
// a download would (zstd frames, SHA1, size), without keeping it. An object that is missing or
// damaged goes back to UploadPending, so the upload run that follows replaces it from a local copy.
import PQueue from 'p-queue';
import { decodeBlob } from '../../store/blob/blob-reader.js';
import { blobKey } from '../../store/blob/blob-key.js';
import { TroveError, withContext } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { ProgressTracker } from './progress.js';
import { decide } from './retry-policy.js';
import { logError } from './log-error.js';
import { applyEvent } from './sync-log.js';
import { configuredConcurrency, sleepMs, type ItemFailure, type TransferOptions } from './transfer-options.js';

export interface VerifyReport {
  checked: number;
  bad: ItemFailure[];
  stoppedBy?: { code: string; message: string };
}

/** Codes that say the object itself is wrong (as opposed to the remote being unreachable). */
const OBJECT_IS_BAD = new Set(['NOT_FOUND', 'CHECKSUM_MISMATCH', 'CORRUPT_BLOB']);

/** Whether `err` (from `verifyRemoteBlob`) says the object is missing or damaged. */
export function objectIsBad(err: unknown): boolean {
  return err instanceof TroveError && OBJECT_IS_BAD.has(err.code);
}

/**
 * Read the object back whole and check it (zstd frames, SHA1, and the content size when known);
 * throws NOT_FOUND, CHECKSUM_MISMATCH or CORRUPT_BLOB when it is missing or damaged. Read without a
 * size hint: a longer object must fail, not be cut to length.
 */
export async function verifyRemoteBlob(remote: Remote, key: string, expected: { sha1: string; size?: number }, onBytes?: (n: number) => void): Promise<void> {
  for await (const _ of decodeBlob(remote.read(key), expected, `remote ${key} on ${remote.description}`, { onRaw: (c) => onBytes?.(c.length) })) {
    // decoded bytes are hashed by decodeBlob and dropped here
  }
}

export interface VerifyOptions extends TransferOptions {
  /** Check only these blobs (by SHA1) of the UploadCompleted ones. */
  only?: ReadonlySet<string>;
  /** Told of each object that verified. */
  onGood?: (sha1: string) => void;
}

export async function verifyRemoteBlobs(lib: Library, remote: Remote, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const rows = (
    lib.db
      .prepare(
        `SELECT sl.file_sha1 AS sha1, sl.type, f.size FROM file_sync_log sl LEFT JOIN file f ON f.sha1 = sl.file_sha1
         WHERE sl.state = 'UploadCompleted' ORDER BY sl.file_sha1`,
      )
      .all() as { sha1: string; type: string; size: number | null }[]
  ).filter((r) => !opts.only || opts.only.has(r.sha1));
  const report: VerifyReport = { checked: 0, bad: [] };
  const tracker = new ProgressTracker('verify', opts.onProgress);
  tracker.start(rows.length, 0);
  const queue = new PQueue({ concurrency: opts.concurrency ?? configuredConcurrency(lib) });
  const sleep = opts.sleep ?? sleepMs;
  let stopped = false;
  const one = async (r: (typeof rows)[number]) => {
    const key = blobKey(r.type, r.sha1);
    tracker.begin(key);
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await verifyRemoteBlob(remote, key, { sha1: r.sha1, size: r.size ?? undefined }, (n) => tracker.addBytes(n));
        report.checked++;
        opts.onGood?.(r.sha1);
        tracker.done(key, r.sha1, 'done');
        return;
      } catch (raw) {
        const err = raw instanceof TroveError ? raw : withContext(`verify ${key}`, raw);
        if (objectIsBad(err)) {
          report.checked++;
          applyEvent(lib.db, r.sha1, 'reupload', logError('verify', key, err));
          report.bad.push({ sha1: r.sha1, key, code: err.code, message: err.message });
          tracker.failed(key, r.sha1, err.code, err.message);
          return;
        }
        const d = decide(err.code, attempt, opts, opts.random);
        if (d.action === 'retry') {
          tracker.retry(key, r.sha1, attempt, d.delayMs, err.code, err.message);
          await sleep(d.delayMs);
          continue;
        }
        tracker.failed(key, r.sha1, err.code, err.message);
        if (!stopped) {
          stopped = true;
          report.stoppedBy = { code: err.code, message: err.message };
          queue.clear();
        }
        return;
      }
    }
  };
  const bugs: unknown[] = [];
  for (const r of rows) queue.add(() => one(r)).catch((err) => bugs.push(err));
  await queue.onIdle();
  if (bugs.length) throw bugs[0];
  tracker.end();
  return report;
}
