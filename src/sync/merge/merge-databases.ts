// Three-way merge of database files: align schema versions (temporary migrated copies of older ones),
// read the rows that differ, plan (pure), label the conflicts, and build the merged database as a new file.
// The inputs are only ever opened read-only.
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { alignSchema, type PreparedSide } from '../diff/schema-align.js';
import fs from 'node:fs';
import { tempName } from '../../store/atomic-fs.js';
import { TroveError } from '../../store/errors.js';
import { finishMergedDatabase, removeDbFiles, snapshotCopy, type VerifyLevel } from './merge-apply.js';
import { ALL_TABLES } from '../diff/catalog-tables.js';
import { changedKeysInWorker } from './changed-keys-worker.js';
import { addClashSiblings, addHiddenCollisions, labelConflicts, loadMergeInput, openTriple } from './merge-inputs.js';
import { planMerge } from './merge-plan.js';
import type { Conflict, MergeOptions, MergePlan, Side } from './merge-types.js';

export interface MergeDatabasesOptions {
  basePath: string;
  localPath: string;
  remotePath: string;
  localDevice: string;
  remoteDevice: string;
  overrides?: Readonly<Record<string, Side>>;
  prefer?: Side;
  /** Who made local rows that came from earlier heads of a merge of several (MergeOptions.localAuthors). */
  localAuthors?: MergeOptions['localAuthors'];
  /** Where the merged file goes (default: beside local, `<local>.merged-<pid>.db`). */
  mergedPath?: string;
  /** Temporary migrated copies (default: the system temp folder). */
  tmpDir?: string;
  /** Check of the result before it takes its name (merge-check.ts): `quick` (default) or `integrity`. */
  verify?: VerifyLevel;
}

export interface MergeResult {
  mergedPath: string;
  plan: MergePlan;
  conflicts: Conflict[];
  /** Where the time went (copy of local, reading and planning, applying, checks of the result + commit). */
  timings: { copyMs: number; planMs: number; applyMs: number; checkMs: number };
}

async function withAligned<T>(opts: MergeDatabasesOptions, fn: (base: string, local: string, remote: string) => Promise<T> | T): Promise<T> {
  const prepared: PreparedSide[] = [];
  try {
    for (const [p, label] of [
      [opts.basePath, 'base'],
      [opts.localPath, 'local'],
      [opts.remotePath, 'remote'],
    ] as const) {
      prepared.push(alignSchema({ path: p, label: `${label} ${p}`, cleanup: () => undefined }, opts.tmpDir ?? os.tmpdir()));
    }
    return await fn(prepared[0]!.path, prepared[1]!.path, prepared[2]!.path);
  } finally {
    for (const s of prepared) s.cleanup();
  }
}

/** The plan and its labelled conflicts, without writing anything. */
export function planDatabases(opts: MergeDatabasesOptions): Promise<{ plan: MergePlan; conflicts: Conflict[]; localPath: string }> {
  // Local is the live collection.db here: read on one connection only.
  return withAligned(opts, (base, local, remote) => planAligned(base, local, remote, opts, false));
}

/** Whether `err` is SQLite saying a file is damaged (rather than a bug or a busy database). */
function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * SQLite met a damaged page while reading the inputs: find which one (quick_check of each; only on
 * this failure path) and say so with INTEGRITY, so that nothing is built from it.
 */
function damagedInput(err: unknown, inputs: readonly [name: string, file: string][]): TroveError {
  for (const [name, file] of inputs) {
    let verdict: string;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        verdict = String(db.pragma('quick_check(3)', { simple: true }));
      } finally {
        db.close();
      }
    } catch (e) {
      verdict = (e as Error).message;
    }
    if (verdict !== 'ok') return new TroveError('INTEGRITY', `${name} is damaged (quick_check: ${verdict.replace(/\s+/g, ' ').slice(0, 200)}); nothing was merged`, { cause: err });
  }
  return new TroveError('INTEGRITY', `reading the merge inputs failed: ${(err as Error).message}; nothing was merged`, { cause: err });
}

/**
 * Tables whose changed keys a worker thread finds while this thread does the others (about half of
 * the work each on a 100k-release catalogue), when the inputs are files nobody writes meanwhile.
 */
const OFFLOADED: ReadonlySet<string> = new Set(['file', 'file_set_file', 'file_sync_log']);

async function planAligned(
  base: string,
  local: string,
  remote: string,
  opts: MergeDatabasesOptions,
  stable: boolean,
): Promise<{ plan: MergePlan; conflicts: Conflict[]; localPath: string }> {
  try {
    return await planOn(base, local, remote, opts, stable);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    throw damagedInput(err, [
      [`local ${opts.localPath}`, local],
      [`base ${opts.basePath}`, base],
      [`cloud ${opts.remotePath}`, remote],
    ]);
  }
}

/** `stable`: no one writes the three files while this runs (then a worker thread may share the reading). */
async function planOn(base: string, local: string, remote: string, opts: MergeDatabasesOptions, stable: boolean): Promise<{ plan: MergePlan; conflicts: Conflict[]; localPath: string }> {
  const db = openTriple(base, local, remote);
  const offloaded = stable
    ? { tables: OFFLOADED, keys: changedKeysInWorker({ main: local, base, remote }, ALL_TABLES.filter((t) => OFFLOADED.has(t.name))) }
    : undefined;
  offloaded?.keys.catch(() => undefined);
  try {
    db.exec('BEGIN'); // one read transaction: every statement sees the same version of each file
    try {
      const input = await loadMergeInput(db, offloaded);
      let plan = planMerge(input, opts);
      if (addClashSiblings(db, input, plan)) plan = planMerge(input, opts);
      // Each round adds rows to the input (so it ends); a name taken again and again takes a round each.
      for (let round = 0; round < 100 && addHiddenCollisions(db, input, plan); round++) plan = planMerge(input, opts);
      labelConflicts(db, plan.conflicts);
      return { plan, conflicts: plan.conflicts, localPath: local };
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    // The worker reads these files: let it finish before anyone may remove them.
    await offloaded?.keys.catch(() => undefined);
    db.close();
  }
}

/**
 * Plan and build: the merged database is written to `mergedPath`; local stays as it was. Local is read
 * once, into a private copy, and both the plan and the result come from that copy, so a concurrent
 * writer to local cannot make the plan and the rows it applies to disagree.
 */
export async function mergeDatabases(opts: MergeDatabasesOptions): Promise<MergeResult> {
  const mergedPath = path.resolve(opts.mergedPath ?? path.join(path.dirname(opts.localPath), `${path.basename(opts.localPath, '.db')}.merged-${process.pid}.db`));
  return withAligned(opts, async (base, local, remote) => {
    const copy = tempName(path.dirname(mergedPath), 'merge-local.db');
    fs.mkdirSync(path.dirname(mergedPath), { recursive: true });
    try {
      const t0 = performance.now();
      await snapshotCopy(local, copy);
      const t1 = performance.now();
      const { plan, conflicts } = await planAligned(base, copy, remote, opts, true);
      const t2 = performance.now();
      const { applyMs, checkMs } = finishMergedDatabase(copy, plan, mergedPath, opts.verify);
      return { mergedPath, plan, conflicts, timings: { copyMs: t1 - t0, planMs: t2 - t1, applyMs, checkMs } };
    } finally {
      removeDbFiles(copy);
    }
  });
}
