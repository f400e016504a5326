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

export interface RunnerLock {
  release(): void;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Take the library's queue-runner lock, or throw BUSY naming `what` when another runner holds it. */
export function takeRunnerLock(libraryDir: string, what: string): RunnerLock {
  const file = path.join(libraryDir, QUEUE_LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    if (db?.open) db.close();
    if (isBusy(err)) {
      throw new TroveError('BUSY', `${what}: another upload or prune-blobs is running on the library at ${libraryDir} (in another command or the TUI); try again when it is done — nothing was changed`, {
        cause: err,
        details: { path: libraryDir },
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
export async function withRunnerLock<T>(libraryDir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const lock = takeRunnerLock(libraryDir, what);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
