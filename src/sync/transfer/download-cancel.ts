// `trove download --cancel` / `download-all --cancel` and the TUI's cancel key: forget queued
// downloads (the rows an interrupted or refused run left in state.db's download_queue) without
// downloading anything. Only the queue changes: the store, local_blob and collection.db stay as
// they are, so a blob that already landed stays, and a later `download` of the same files queues
// them again.
//
// Concurrency: a download run in another process (or the TUI) owns the rows it works on; deleting
// them under it would let it fetch files nobody wants any more, and its bookkeeping would then act
// on rows that are gone. So the cancel takes the same lock as a download run (download.lock,
// runner-lock.ts) and, when a run holds it, is refused with BUSY (exit 7) naming the lock — as
// `prune-blobs` is refused beside `upload`. Stop that run (ctrl+c) first; what it did not fetch
// stays queued and can then be cancelled.
import type Database from 'better-sqlite3';
import type { Library } from '../../store/library.js';
import { DOWNLOAD_LOCK, takeRunnerLock } from '../../store/runner-lock.js';
import { cancelDownloads } from './download-queue.js';
import { targetFiles, type TargetFilter } from './transfer-targets.js';

/** Remove the queued downloads matching `filter` (undefined: every queued download); how many. */
export function cancelQueuedDownloads(lib: Library, what: string, filter?: TargetFilter): number {
  const lock = takeRunnerLock(lib.paths.dir, what, DOWNLOAD_LOCK);
  try {
    const only = filter ? targetFiles(lib.db as Database.Database, filter).map((f) => f.sha1) : undefined;
    return cancelDownloads(lib.state, only);
  } finally {
    lock.release();
  }
}
