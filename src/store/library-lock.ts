// The library lock: a reader-writer lock between trove processes working on one library.
//
// Every process that opens a library (Library.open, before it opens collection.db) holds the lock
// SHARED until it closes the library; replacing collection.db (a pull, a restore, a merge: one path,
// src/sync/snapshot/replace-db.ts) takes it EXCLUSIVE, which waits until no other process has the
// library open and keeps new ones waiting until the replacement is done. Without it, a `trove add`
// that opened collection.db just before the rename kept writing to the retired file (in WAL mode
// SQLite does not notice that its file was renamed over) and a write committed after the replacement
// decided "no local changes" was thrown away with the old file; the exit code said success.
//
// The lock is SQLite's own file locking on `<library>/library.lock`, a database that is never written
// (a rollback-journal file: a read transaction holds SHARED, `BEGIN EXCLUSIVE` takes EXCLUSIVE, and a
// waiting EXCLUSIVE holds PENDING, which keeps new readers out, so a stream of short commands cannot
// starve a replacement). The operating system drops the locks of a process that dies, so a crash never
// leaves the library locked. Like git's index.lock, it only protects processes that take it: sqlite3
// or another tool writing collection.db directly is caught by the fingerprint re-check instead.
import Database from 'better-sqlite3';
import path from 'node:path';
import { TroveError } from './errors.js';

export const LIBRARY_LOCK_FILE = 'library.lock';
/** How long opening a library waits for a replacement by another process to finish. */
const SHARED_WAIT_MS = 15_000;
/** How long a replacement waits for other processes to close the library. */
const EXCLUSIVE_WAIT_MS = 5_000;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** The lock file cannot exist here (read-only media, no permission): nothing can replace collection.db there either. */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH'));
}

function openLockDb(dir: string, waitMs: number): Database.Database {
  const db = new Database(path.join(dir, LIBRARY_LOCK_FILE));
  db.pragma(`busy_timeout = ${waitMs}`);
  return db;
}

/**
 * This process's shared holds, per library folder: an exclusive taker suspends them (same-process
 * locks would block it). Kept on globalThis, not in this module: the command line and the TUI are
 * bundled separately (scripts/bundle.mjs), each with its own copy of this module, and the TUI works on
 * the library the command line opened. With one map per copy, the TUI's first replacement (applying a
 * merge, a pull, a restore) could not suspend the command line's hold and waited for itself until it
 * failed with "open in another trove process".
 */
interface Suspendable {
  suspend(): void;
  hold(waitMs?: number): void;
}
const HOLDS = Symbol.for('trove.libraryLockHolds');
const holds: Map<string, Set<Suspendable>> = ((globalThis as Record<symbol, unknown>)[HOLDS] as Map<string, Set<Suspendable>> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[HOLDS] = new Map<string, Set<Suspendable>>()) as Map<string, Set<Suspendable>>;

class SharedHold {
  private db: Database.Database | undefined;
  private held = false;
  constructor(readonly dir: string) {}

  /** Take the lock (waiting up to `waitMs` for a replacement to finish). Throws BUSY when it does not end in time. */
  hold(waitMs = SHARED_WAIT_MS): void {
    try {
      this.db ??= openLockDb(this.dir, waitMs);
      this.db.pragma(`busy_timeout = ${waitMs}`);
      this.db.exec('BEGIN');
      this.db.prepare('SELECT count(*) FROM sqlite_master').get();
      this.held = true;
    } catch (err) {
      if (this.db?.inTransaction) this.db.exec('ROLLBACK');
      if (isBusy(err)) {
        throw new TroveError('BUSY', `the library at ${this.dir} is busy: another trove process is replacing its catalogue (sync pull, restore or merge); try again when it is done`, {
          cause: err,
          details: { path: this.dir },
        });
      }
      if (!isUnavailable(err)) throw new TroveError('IO', `cannot take the library lock ${path.join(this.dir, LIBRARY_LOCK_FILE)}: ${(err as Error).message}`, { cause: err });
      this.close(); // read-only library: no lock, and no replacement is possible there either
    }
  }

  suspend(): void {
    if (this.held && this.db?.inTransaction) this.db.exec('ROLLBACK');
    this.held = false;
  }

  close(): void {
    this.suspend();
    if (this.db?.open) this.db.close();
    this.db = undefined;
  }
}

export interface LibraryLock {
  release(): void;
}

/** Hold the library lock shared until `release()`. Call before opening collection.db. */
export function acquireSharedLibraryLock(dir: string): LibraryLock {
  const h = new SharedHold(dir);
  h.hold();
  let set = holds.get(dir);
  if (!set) holds.set(dir, (set = new Set()));
  set.add(h);
  return {
    release: () => {
      h.close();
      set.delete(h);
    },
  };
}

/**
 * Run `fn` with the library lock held exclusive: no other trove process has the library open meanwhile.
 * This process's own shared holds are suspended for the duration (its connections to collection.db
 * must be closed by the caller) and taken again afterwards. Throws BUSY, having done nothing, when
 * other processes keep the library open longer than a few seconds.
 */
export async function withExclusiveLibraryLock<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  const mine = [...(holds.get(dir) ?? [])];
  for (const h of mine) h.suspend();
  let db: Database.Database | undefined;
  try {
    try {
      db = openLockDb(dir, EXCLUSIVE_WAIT_MS);
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      if (isBusy(err)) {
        throw new TroveError('BUSY', `${what}: the library at ${dir} is open in another trove process (a command still running, or the TUI); close it and try again — nothing was changed`, {
          cause: err,
          details: { path: dir },
        });
      }
      throw new TroveError('IO', `${what}: cannot take the library lock ${path.join(dir, LIBRARY_LOCK_FILE)}: ${(err as Error).message}`, { cause: err });
    }
    return await fn();
  } finally {
    if (db?.inTransaction) db.exec('ROLLBACK'); // nothing was written: the lock file stays as it was
    if (db?.open) db.close();
    for (const h of mine) {
      if (!holds.get(dir)?.has(h)) continue; // released meanwhile (its library closed): nothing to take again
      try {
        h.hold(EXCLUSIVE_WAIT_MS);
      } catch {
        // Another process is replacing the catalogue right now; this holder has closed collection.db
        // (a caller of a replacement must) and reopens the library, which waits for the lock, if it
        // goes on working.
      }
    }
  }
}
