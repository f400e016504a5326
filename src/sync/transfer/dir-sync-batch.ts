// A WriteBatch for bookkeeping that records renames (a download's `markLocal` after its temp file
// took its final name), which also makes those renames durable, once per batch instead of once per
// file. A rename is durable only once its directory is fsynced; the row saying "this blob is here"
// must never be durable before that. So a rename made with `syncDir: false` reports its directory
// (`touched`); before each transaction commits, every directory touched since the previous commit
// is fsynced — in parallel on the thread pool, where ext4 folds them into one journal commit —
// and only then are the rows written (every 250 ms or 256 rows: fewer commits, each an fsync of
// the WAL on the main thread, and more renames per directory fsync). A crash before the commit
// loses rows, never renames: the next run downloads those blobs again (verified, renamed over the
// same bytes).
//
// Rows are committed in the order they were added; commits happen one after the other. A failed
// directory fsync (or transaction) fails that batch and every later one: nothing more is recorded,
// and `flush()` — which the worker awaits at the end — rethrows the first failure.
import type Database from 'better-sqlite3';
import { fsyncDir } from '../../store/atomic-fs.js';

export class DirSyncBatch {
  private ops: (() => void)[] = [];
  private after: (() => void)[] = [];
  private dirs = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly opts: { intervalMs?: number; maxOps?: number; syncDir?: (dir: string) => Promise<void> } = {},
  ) {}

  /** A rename into `dir` happened and is not durable yet. Call before adding the row that records it. */
  touched(dir: string): void {
    this.dirs.add(dir);
  }

  /**
   * Queue a write. `afterCommit` runs once the transaction holding it committed (progress events
   * that say "this blob is local" wait for that, so a listener re-reading the catalogue sees it).
   */
  add(op: () => void, afterCommit?: () => void): void {
    this.ops.push(op);
    if (afterCommit) this.after.push(afterCommit);
    if (this.ops.length >= (this.opts.maxOps ?? 256)) void this.flush().catch(() => undefined);
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.opts.intervalMs ?? 250);
      this.timer.unref();
    }
  }

  /** Sync the touched directories, then commit the rows added so far. Resolves when committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Take the rows and the directories in the same synchronous step: every row here was added
    // after its rename reported its directory, so that directory is in `dirs`.
    const ops = this.ops;
    const after = this.after;
    const dirs = [...this.dirs];
    this.ops = [];
    this.after = [];
    this.dirs = new Set();
    const syncDir = this.opts.syncDir ?? fsyncDir;
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure.error;
      try {
        await Promise.all(dirs.map((d) => syncDir(d)));
        if (ops.length) this.db.transaction(() => ops.forEach((op) => op()))();
      } catch (error) {
        this.failure = { error };
        throw error;
      }
      for (const fn of after) fn();
    });
    return this.chain;
  }
}
