// PRAGMA integrity_check and foreign_key_check of a database file, shared out over worker threads.
// integrity_check is one long O(N log N) statement (seconds on a 100k-release catalogue); SQLite can
// also check one table at a time — `integrity_check(T)`: T's b-tree and its indexes, every index entry
// against its row, NOT NULL, CHECK, UNIQUE — but such partial checks skip what only a whole-file walk
// sees (freelist, pages used twice or never, sqlite_schema itself). So the work is: one
// integrity_check(T) per table + one quick_check of the whole file (which does exactly that walk) +
// foreign_key_check; together they cover everything a plain integrity_check does, and each is a task
// for the next free worker, largest first. On two cores the wait is about half of the serial one.
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export type CheckTask = { kind: 'table'; table: string } | { kind: 'quick' } | { kind: 'foreign_keys' };

export interface CheckOutcome {
  /** integrity_check / quick_check messages other than "ok" (at most a few per task). */
  integrity: string[];
  /** Rows foreign_key_check reported. */
  foreignKeyViolations: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const quote = (s) => '"' + s.replace(/"/g, '""') + '"';
let db;
let openError;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('trusted_schema = OFF');
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 1073741824');
} catch (err) {
  openError = String((err && err.message) || err);
}
parentPort.on('message', (task) => {
  if (task === null) {
    if (db) db.close();
    parentPort.close();
    return;
  }
  if (openError) return parentPort.postMessage({ integrity: [openError], fk: 0 });
  try {
    if (task.kind === 'foreign_keys') return parentPort.postMessage({ integrity: [], fk: db.pragma('foreign_key_check').length });
    const sql = task.kind === 'quick' ? 'quick_check(20)' : 'integrity_check(' + quote(task.table) + ')';
    const problems = db.pragma(sql).map((r) => String(Object.values(r)[0])).filter((m) => m !== 'ok');
    parentPort.postMessage({ integrity: problems.slice(0, 20), fk: 0 });
  } catch (err) {
    parentPort.postMessage({ integrity: [String((err && err.message) || err)], fk: 0 });
  }
});
`;

/**
 * The tasks for `db`'s file, largest first. Sizes are estimated from row counts: a table's check
 * costs about its rows times (1 + its indexes); the quick_check and foreign_key_check walk everything.
 */
export function checkTasks(db: Database.Database): CheckTask[] {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  const weighted: { task: CheckTask; weight: number }[] = [];
  let total = 0;
  let referencing = 0;
  for (const t of tables) {
    const q = `"${t.replace(/"/g, '""')}"`;
    const rows = db.prepare(`SELECT count(*) FROM ${q}`).pluck().get() as number;
    const indexes = (db.pragma(`index_list(${q})`) as unknown[]).length;
    const fks = (db.pragma(`foreign_key_list(${q})`) as unknown[]).length;
    total += rows;
    referencing += rows * fks;
    weighted.push({ task: { kind: 'table', table: t }, weight: rows * (1 + indexes) });
  }
  weighted.push({ task: { kind: 'quick' }, weight: total });
  weighted.push({ task: { kind: 'foreign_keys' }, weight: referencing * 1.5 });
  // sqlite_schema is a b-tree too: checked by the quick_check's whole-file walk.
  return weighted.sort((a, b) => b.weight - a.weight).map((w) => w.task);
}

/** How many workers: the cores there are, at most `max`. */
export function poolSize(max = 4): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(max, cores));
}

/**
 * Run `tasks` against `file` (opened read-only, trusted_schema=OFF, in each worker). After the first
 * task that finds a problem, no new task starts; the running ones finish and the outcome is returned.
 */
export function runChecks(file: string, tasks: readonly CheckTask[], workers = poolSize()): Promise<CheckOutcome> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const queue = [...tasks];
  const outcome: CheckOutcome = { integrity: [], foreignKeyViolations: 0 };
  const failed = () => outcome.integrity.length > 0 || outcome.foreignKeyViolations > 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
      let finished = false;
      const next = () => {
        const task = failed() ? undefined : queue.shift();
        if (task) w.postMessage(task);
        else {
          finished = true;
          w.postMessage(null);
        }
      };
      w.on('message', (m: { integrity: string[]; fk: number }) => {
        outcome.integrity.push(...m.integrity);
        outcome.foreignKeyViolations += m.fk;
        next();
      });
      w.once('error', reject);
      w.once('exit', (code) => (finished && code === 0 ? resolve() : reject(new Error(`integrity check worker exited with ${code}`))));
      next();
    });
  return Promise.all(Array.from({ length: Math.max(1, Math.min(workers, tasks.length)) }, one)).then(() => outcome);
}
