// One queue runner per library. The upload worker and the blob clean-up (`prune-blobs`) own the rows
// of file_sync_log they mark InProgress, and each starts by putting back to Pending whatever a crashed
// run left InProgress. With two runners at once (an `upload` from cron beside the TUI's `u`, or two
// shells), the second one's recovery took the first one's live rows away, and the first died on its
// own state machine's guard with a raw stack trace. The library lock is only shared for these
// commands, so nothing serialised them.
//
// The lock is `<library>/queue.lock`, a SQLite file never written, held with BEGIN EXCLUSIVE (the same
// file locking as library-lock.ts, released by the operating system when a process dies, so a crash
// never leaves it held). A second runner does not wait: it says another one is running (BUSY, exit 7),
// like `git gc` refusing to run beside another gc.
import Database from 'better-sqlite3';
import path from 'node:path';
import { TroveError } from './errors.js';

export const QUEUE_LOCK_FILE = 'queue.lock';

/**
 * The download queue's runner lock, `<library>/download.lock`: held by a download run (`trove
 * download`, `download-all`, the TUI's download run) and by `trove download --cancel`. Separate from
 * queue.lock, so that an upload and a download still run side by side (they own different tables);
 * two download runs, or a cancel beside a run, are refused instead: the second run's start-up
 * recovery (resetDownloads) would take the first run's InProgress rows, and a cancel would delete
 * rows the first run is fetching.
 */
export const DOWNLOAD_LOCK_FILE = 'download.lock';

export interface RunnerLockKind {
  file: string;
  /** Who holds it, for the BUSY message: "another upload or prune-blobs". */
  holders: string;
}

export const QUEUE_LOCK: RunnerLockKind = { file: QUEUE_LOCK_FILE, holders: 'upload or prune-blobs' };
export const DOWNLOAD_LOCK: RunnerLockKind = { file: DOWNLOAD_LOCK_FILE, holders: 'download (or download-all, or the TUI\'s downloads)' };

export interface RunnerLock {
  release(): void;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Take the library's queue-runner lock, or throw BUSY naming `what` when another runner holds it. */
export function takeRunnerLock(libraryDir: string, what: string, kind: RunnerLockKind = QUEUE_LOCK): RunnerLock {
  const file = path.join(libraryDir, kind.file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    if (db?.open) db.close();
    if (isBusy(err)) {
      throw new TroveError('BUSY', `${what}: another ${kind.holders} is running on the library at ${libraryDir} (in another command or the TUI; it holds ${kind.file}); try again when it is done — nothing was changed`, {
        cause: err,
        details: { path: libraryDir, lock: kind.file },
      });
    }
    // A library on read-only media cannot upload state changes either; let the real operation say so.
    return { release: () => undefined };
  }
  const held = db;
  return {
    release: () => {
      if (held.inTransaction) held.exec('ROLLBACK');
      if (held.open) held.close();
    },
  };
}

/** Run `fn` holding the runner lock (see takeRunnerLock); released however `fn` ends. */
export async function withRunnerLock<T>(libraryDir: string, what: string, fn: () => Promise<T>, kind: RunnerLockKind = QUEUE_LOCK): Promise<T> {
  const lock = takeRunnerLock(libraryDir, what, kind);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
