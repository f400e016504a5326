// Build the merged database as a new file: a consistent copy of local (backup API), the plan applied
// in one transaction, then checked (merge-check.ts), then fsync and rename into place.
// Local is only read. On any failure the temporary file is removed and nothing else has changed.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../../store/errors.js';
import { fsyncDirSync } from '../../store/atomic-fs.js';
import { ALL_TABLES, type TableSpec } from '../diff/catalog-tables.js';
import { faultPoint } from './fault-point.js';
import { checkMergedDatabase, type VerifyLevel } from './merge-check.js';
import { tuneForScans } from '../diff/changed-keys.js';
import type { MergePlan, Row } from './merge-types.js';

export type { VerifyLevel } from './merge-check.js';

/** Apply `plan` to an open database holding local's rows. Foreign keys must be off (checked after). */
export function applyPlan(db: Database.Database, plan: MergePlan): void {
  for (const t of [...ALL_TABLES].reverse()) {
    const del = db.prepare(`DELETE FROM ${t.name} WHERE ${t.key} = ?`);
    for (const op of plan.ops[t.name] ?? []) if (op.op !== 'insert') del.run(op.key);
  }
  faultPoint('merge:applying');
  for (const t of ALL_TABLES) {
    const cols = [t.key, ...t.columns];
    const ins = db.prepare(`INSERT INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`);
    for (const op of plan.ops[t.name] ?? []) {
      if (op.op === 'delete') continue;
      try {
        ins.run(Object.fromEntries(cols.map((c) => [c, op.row![c] ?? null])));
      } catch (err) {
        throw constraintError(err, t, op.key, op.row!);
      }
    }
  }
}

/**
 * A merged row the catalogue's constraints refuse (two rows with one name the planner did not see):
 * the inputs are sound, so not INTEGRITY (exit 4, corrupt data) but a conflict naming the row, and
 * nothing is applied.
 */
function constraintError(err: unknown, t: TableSpec, key: string, row: Row): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_CONSTRAINT')) return err;
  const natural = t.unique ? ` (${t.unique.map((c) => `${c} ${JSON.stringify(row[c] ?? null)}`).join(', ')})` : '';
  return new TroveError(
    'CONFLICT',
    `the merged catalogue cannot hold ${t.name} row ${key}${natural}: ${(err as Error).message}; nothing was merged (\`trove sync pull --resolve merge --prefer local|cloud\` or \`--resolve cloud|local\` settle it another way)`,
    { cause: err },
  );
}

/**
 * A consistent copy of a (possibly live, WAL) database through SQLite's backup API, read-only on the
 * source. A page copy: rowids stay where they were, which keeps the diff's rowid fast path fast.
 */
export async function snapshotCopy(srcPath: string, destPath: string): Promise<void> {
  const src = new Database(srcPath, { readonly: true, fileMustExist: true });
  try {
    await src.backup(destPath, { progress: () => 1 << 30 });
    // The copy carries the source's journal mode; a private file wants no -wal/-shm beside it.
    const dest = new Database(destPath, { fileMustExist: true });
    try {
      dest.pragma('journal_mode = DELETE');
    } finally {
      dest.close();
    }
  } catch (err) {
    removeDbFiles(destPath);
    throw new TroveError('IO', `copying ${srcPath} to ${destPath} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    src.close();
  }
}

export function removeDbFiles(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/**
 * Turn `copyPath` (a private copy of local, see snapshotCopy) into the merged database and rename it to
 * `mergedPath` (atomically). The copy is consumed: renamed on success, removed on failure.
 */
export function finishMergedDatabase(copyPath: string, plan: MergePlan, mergedPath: string, verify: VerifyLevel = 'quick'): { applyMs: number; checkMs: number } {
  const t0 = performance.now();
  let t1 = t0;
  try {
    const db = new Database(copyPath, { fileMustExist: true });
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma('foreign_keys = OFF');
      db.pragma('trusted_schema = OFF');
      tuneForScans(db, ['main']); // the checks read every page: memory-mapped reads save ~30%
      db.transaction(() => {
        applyPlan(db, plan);
        t1 = performance.now();
        checkMergedDatabase(db, plan, `merged database ${mergedPath}`, verify);
      })();
    } finally {
      db.close();
    }
    const fd = fs.openSync(copyPath, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.mkdirSync(path.dirname(mergedPath), { recursive: true });
    fs.renameSync(copyPath, mergedPath);
    fsyncDirSync(path.dirname(mergedPath));
    return { applyMs: t1 - t0, checkMs: performance.now() - t1 };
  } catch (err) {
    removeDbFiles(copyPath);
    if (err instanceof TroveError) throw err;
    throw new TroveError('INTEGRITY', `building the merged database ${mergedPath} failed: ${(err as Error).message}`, { cause: err });
  }
}
