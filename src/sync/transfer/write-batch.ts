// Groups the workers' bookkeeping writes into one SQLite transaction every `intervalMs` (or every
// `maxOps` operations): with synchronous=FULL each transaction costs an fsync, and one per file
// per state change made small-file transfers several times slower than the transfers themselves.
// Safe because every batched write only records what already happened: a crash loses at most the
// last batch, which recovery redoes (InProgress → Pending; a re-run finds present objects by stat,
// a re-download overwrites with verified bytes). Writes that must precede an action are not batched.
import type Database from 'better-sqlite3';

export class WriteBatch {
  private ops: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly opts: { intervalMs?: number; maxOps?: number } = {},
  ) {}

  add(op: () => void): void {
    this.ops.push(op);
    if (this.ops.length >= (this.opts.maxOps ?? 256)) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.intervalMs ?? 100);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ops = this.ops;
    this.ops = [];
    if (ops.length) this.db.transaction(() => ops.forEach((op) => op()))();
  }
}
