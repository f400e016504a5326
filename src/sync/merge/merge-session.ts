// The merge as a user runs it on a library: plan against collection.db and keep the pending merge (its
// input copies and conflicts) in state.db; later apply it — merged file built beside, verified backup
// of collection.db, then an atomic replace — or discard it. A SIGKILL at any point leaves collection.db
// as it was (or, after the final rename, entirely merged) and the pending merge resumable or discardable.
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { LibraryPaths } from '../../store/library.js';
import { writeFileAtomic } from '../../store/atomic-fs.js';
import { uuidv7 } from '../../store/ids.js';
import { TroveError } from '../../store/errors.js';
import { faultPoint } from './fault-point.js';
import { resolveMergeFolder, storedMergeDir } from './merge-folder.js';
import { removeDbFiles, snapshotCopy } from './merge-apply.js';
import { mergeDatabases, planDatabases } from './merge-databases.js';
import { checkCatalogueFile } from '../diff/schema-align.js';
import type { Conflict, MergePlan, Side } from './merge-types.js';
import { chosenOverrides, deletePendingMerge, requirePendingMerge, savePendingMerge, setPendingStatus, type PendingMerge } from './pending-merge.js';
import type { BackupRecord } from '../snapshot/backups.js';
import { installMergedFile } from '../snapshot/install.js';
import { currentFingerprint, recoverPendingReplace } from '../snapshot/replace-db.js';

/**
 * Where a pending merge came from when `trove sync pull --resolve merge --no-apply` started it: the
 * snapshot parents its result must be pushed with (the head, then the base). Kept in the merge's folder
 * (`origin.json`) and handed to sync state when the merge is applied, so the next push names them.
 */
export interface MergeOrigin {
  parents: string[];
}

const ORIGIN_FILE = 'origin.json';

export function readMergeOrigin(dir: string): MergeOrigin | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, ORIGIN_FILE), 'utf8')) as MergeOrigin;
    return Array.isArray(v.parents) && v.parents.every((p) => typeof p === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface StartMergeRequest {
  basePath: string;
  remotePath: string;
  baseLabel?: string;
  remoteLabel?: string;
  localDevice: string;
  remoteDevice: string;
  prefer?: Side;
  /** Set by snapshot sync: the parents the applied result is pushed with. */
  origin?: MergeOrigin;
}

export interface StartedMerge {
  id: string;
  conflicts: Conflict[];
  counts: MergePlan['counts'];
  changes: number;
}

/** Copy the inputs into tmp/merge-<id>/, plan against collection.db, record the pending merge. */
export async function startMerge(paths: LibraryPaths, state: Database.Database, req: StartMergeRequest): Promise<StartedMerge> {
  if (state.prepare('SELECT 1 FROM pending_merge').get()) {
    throw new TroveError('CONFLICT', 'a merge is already pending: finish it with `trove merge --apply` or drop it with `trove merge --discard`');
  }
  // Clean errors for bad inputs (a missing path, a word such as `head`, state.db, a foreign file)
  // before anything is copied: NOT_FOUND / BAD_INPUT / CORRUPT_SNAPSHOT naming the file.
  for (const [file, what] of [
    [req.basePath, 'base'],
    [req.remotePath, 'remote'],
  ] as const) {
    if (!fs.existsSync(file)) {
      throw new TroveError('NOT_FOUND', `${what} ${file}: no such file (the sides of \`trove merge\` are .db files; to merge the remote head run \`trove sync pull --resolve merge\`)`, {
        details: { path: file },
      });
    }
    checkCatalogueFile(file, `${what} ${file}`, paths.tmpDir);
  }
  const id = uuidv7();
  const dir = path.join(paths.tmpDir, `merge-${id}`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    await snapshotCopy(req.basePath, path.join(dir, 'base.db'));
    await snapshotCopy(req.remotePath, path.join(dir, 'remote.db'));
    if (req.origin) await writeFileAtomic(path.join(dir, ORIGIN_FILE), JSON.stringify(req.origin));
    const { plan, conflicts } = await planDatabases({
      basePath: path.join(dir, 'base.db'),
      localPath: paths.collectionDb,
      remotePath: path.join(dir, 'remote.db'),
      localDevice: req.localDevice,
      remoteDevice: req.remoteDevice,
      prefer: req.prefer,
      tmpDir: dir,
    });
    const chosen = req.prefer ? Object.fromEntries(conflicts.map((c) => [c.id, req.prefer!])) : undefined;
    savePendingMerge(state, {
      id,
      dir: storedMergeDir(id), // relative: the library may be moved or copied while the merge is pending
      baseLabel: req.baseLabel ?? req.basePath,
      remoteLabel: req.remoteLabel ?? req.remotePath,
      remoteDevice: req.remoteDevice,
      conflicts,
      chosen,
    });
    const changes = Object.values(plan.ops).reduce((n, ops) => n + (ops?.length ?? 0), 0);
    return { id, conflicts, counts: plan.counts, changes };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface AppliedMerge {
  id: string;
  /** The backup of the previous collection.db, in the snapshot module's index (`trove backups list`). */
  backup: BackupRecord;
  conflicts: Conflict[];
  changes: number;
  /** Present when the merge came from `trove sync pull`: the next push names these parents. */
  origin?: MergeOrigin;
}

/**
 * Apply the pending merge to collection.db. Conflicts without a chosen side take their default. The
 * plan is recomputed against collection.db as it is now (resolutions match by conflict id), so edits
 * made since planning are merged too.
 */
export async function applyPendingMerge(paths: LibraryPaths, state: Database.Database, localDevice: string): Promise<AppliedMerge> {
  // A replacement interrupted by a crash (an earlier apply or pull) is finished or rolled back first.
  await recoverPendingReplace(paths, state);
  const pending = requirePendingMerge(state);
  const folder = resolveMergeFolder(paths, pending);
  if (!folder.ok) {
    throw new TroveError(
      'NOT_FOUND',
      `the pending merge ${pending.id} is lost: ${folder.reason}. Nothing was changed; drop it with \`trove merge --discard\` (it deletes nothing outside this library) and start the merge again`,
      { details: { id: pending.id, dir: pending.dir } },
    );
  }
  const m = { ...pending, dir: folder.dir };
  // What the merge reads as local; the replacement refuses if another process writes to it meanwhile.
  const expectFingerprint = await currentFingerprint(paths);
  setPendingStatus(state, m.id, 'applying');
  const mergedPath = path.join(m.dir, 'merged.db');
  removeDbFiles(mergedPath);
  try {
    const result = await mergeDatabases({
      basePath: path.join(m.dir, 'base.db'),
      localPath: paths.collectionDb,
      remotePath: path.join(m.dir, 'remote.db'),
      localDevice,
      remoteDevice: m.remoteDevice,
      overrides: chosenOverrides(m),
      mergedPath,
      tmpDir: m.dir,
    });
    faultPoint('merge:merged-built');
    faultPoint('merge:before-replace');
    // The one replacement path of the library: backup indexed in state.db, atomic rename, no stale WAL.
    const origin = readMergeOrigin(m.dir);
    const { backup } = await installMergedFile(paths, state, result.mergedPath, {
      reason: `merge ${m.id} (cloud: ${m.remoteLabel})`,
      expectFingerprint,
      mergedParents: origin?.parents,
    });
    faultPoint('merge:after-replace');
    deletePendingMerge(state, m.id);
    fs.rmSync(m.dir, { recursive: true, force: true });
    const changes = Object.values(result.plan.ops).reduce((n, ops) => n + (ops?.length ?? 0), 0);
    return { id: m.id, backup, conflicts: result.conflicts, changes, origin };
  } catch (err) {
    setPendingStatus(state, m.id, 'pending');
    removeDbFiles(mergedPath);
    throw err;
  }
}

/**
 * Drop the pending merge and its input copies; collection.db is not touched, nor anything outside this
 * library's tmp/ (a row whose folder lies elsewhere, from a moved or copied library, is just forgotten).
 */
export function discardPendingMerge(paths: LibraryPaths, state: Database.Database): PendingMerge & { lost?: string } {
  const m = requirePendingMerge(state);
  const folder = resolveMergeFolder(paths, m);
  deletePendingMerge(state, m.id);
  if (folder.dir) fs.rmSync(folder.dir, { recursive: true, force: true });
  return folder.ok ? m : { ...m, lost: folder.reason };
}
