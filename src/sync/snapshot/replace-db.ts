// Replacing collection.db with another database file, atomically and with nothing of the old file's
// WAL applied to the new one. The caller has closed every connection of its own first.
//   0. take the library lock exclusive (store/library-lock.ts): every other trove process has closed
//      the library and none opens it until the replacement is done (else BUSY, nothing changed);
//   1. open the old file alone, checkpoint(TRUNCATE), close: its WAL is folded in and deleted; a WAL
//      still there afterwards means another process has the library open → refuse;
//   1b. fingerprint the old file and compare it with what the caller decided on (the content it
//      found "unchanged", merged, or chose to set aside): a write that landed since — another trove
//      process that finished meanwhile — makes it refuse (BUSY, nothing changed) instead of vanishing
//      into the backup;
//   2. back the old file up (a hard link: instant, and the old inode is never written again);
//   3. record the pending replacement in state.db (what the new file's fingerprint will be);
//   4. remove stale -wal/-shm, rename the fsynced temp file over collection.db, fsync the folder;
//   5. move the base (unless keeping it) and clear the pending record.
// A crash before 4's rename leaves the old database (complete: its WAL was checkpointed); after it,
// the new one. recoverPendingReplace() finishes step 5 from the file on disk on the next run.
import Database from 'better-sqlite3';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../../store/atomic-fs.js';
import { TroveError, withContext } from '../../store/errors.js';
import { withExclusiveLibraryLock } from '../../store/library-lock.js';
import { removeStaleTempsIn } from '../../store/stale-temps.js';
import type { LibraryPaths } from '../../store/library.js';
import { crashPoint } from './crash-point.js';
import { fingerprintFile, stampOf } from './fingerprint.js';
import { confirmStamp, getMergedParentsRecord, getPending, setBase, setMergedParents, setPending, type PendingReplace } from './sync-state.js';
import { createBackupOfClosedDb, type BackupRecord } from './backups.js';

export async function exists(p: string): Promise<boolean> {
  return fsp.access(p).then(
    () => true,
    () => false,
  );
}

/** Fold the WAL into collection.db and make sure no other process has it open. */
export async function quiesceCollectionDb(paths: LibraryPaths): Promise<void> {
  const db = new Database(paths.collectionDb, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  if (await exists(`${paths.collectionDb}-wal`)) {
    throw new TroveError('BUSY', `${paths.collectionDb} is open in another process (its -wal file stays); close other trove windows and try again — nothing was changed`, {
      details: { path: paths.collectionDb },
    });
  }
}

export interface ReplaceRequest {
  /** A verified database file in the library's tmp/ folder; it is renamed into place (consumed). */
  newFile: string;
  pending: PendingReplace;
  /** Why the old database is being replaced (recorded with its backup). */
  reason: string;
  /**
   * The content fingerprint of collection.db that the caller's decision was based on (read before it
   * decided, merged or downloaded anything). The replacement refuses when collection.db no longer has
   * it; undefined (collection.db was busy when the caller looked) refuses too.
   */
  expectFingerprint: string | undefined;
}

/** The fingerprint of collection.db as it is now, its WAL folded in (BUSY when another process holds it open). */
export async function currentFingerprint(paths: LibraryPaths): Promise<string> {
  await quiesceCollectionDb(paths);
  return (await fingerprintFile(paths.collectionDb)).fingerprint;
}

export async function replaceCollectionDb(paths: LibraryPaths, state: Database.Database, req: ReplaceRequest): Promise<{ backup: BackupRecord }> {
  return withExclusiveLibraryLock(paths.dir, `replacing ${paths.collectionDb} (${req.reason})`, () => replaceLocked(paths, state, req));
}

async function replaceLocked(paths: LibraryPaths, state: Database.Database, req: ReplaceRequest): Promise<{ backup: BackupRecord }> {
  const now = await currentFingerprint(paths);
  if (req.expectFingerprint === undefined || now !== req.expectFingerprint) {
    throw new TroveError(
      'BUSY',
      req.expectFingerprint === undefined
        ? `${paths.collectionDb} was in use by another process when ${req.reason} started; nothing was replaced — close other trove windows and run it again`
        : `${paths.collectionDb} changed while ${req.reason} was running (another trove process wrote to it); nothing was replaced and that write is kept — run it again`,
      { details: { path: paths.collectionDb, expected: req.expectFingerprint ?? null, found: now } },
    );
  }
  const backup = await createBackupOfClosedDb(paths, state, { reason: req.reason, fingerprint: now });
  setPending(state, req.pending);
  await crashPoint('during-replace');
  try {
    for (const suffix of ['-wal', '-shm', '-journal']) await fsp.rm(`${paths.collectionDb}${suffix}`, { force: true });
    const oldMode = (await fsp.stat(paths.collectionDb).catch(() => undefined))?.mode;
    if (oldMode !== undefined) await fsp.chmod(req.newFile, oldMode & 0o777);
    await fsp.rename(req.newFile, paths.collectionDb);
    await fsyncDir(path.dirname(paths.collectionDb));
  } catch (err) {
    throw withContext(`replacing ${paths.collectionDb}`, err);
  }
  await crashPoint('after-rename');
  await finishReplace(paths, state, req.pending);
  return { backup };
}

async function finishReplace(paths: LibraryPaths, state: Database.Database, p: PendingReplace): Promise<void> {
  // A merge applied and not pushed holds only while its database is the one in place: anything else
  // put there (a backup restored, a snapshot restored, the cloud's version taken) drops the record,
  // or the next push would name heads whose changes are not in the database, and the next merge would
  // take them as the common ancestor and read their changes as deleted here.
  const merged = getMergedParentsRecord(state);
  state.transaction(() => {
    if (!p.keepBase) setBase(state, { snapshotId: p.snapshotId, dbSha1: p.dbSha1, fingerprint: p.fingerprint });
    if (merged && merged.fingerprint !== p.fingerprint) setMergedParents(state, undefined);
    setPending(state, undefined);
  })();
  if (!p.keepBase) confirmStamp(state, await stampOf(paths.collectionDb));
}

/**
 * After a crash between "pending recorded" and "pending cleared": if collection.db now has the new
 * content, finish the bookkeeping; otherwise the old database stayed and the record is dropped.
 * Call before anything opens collection.db for writing.
 */
export async function recoverPendingReplace(paths: LibraryPaths, state: Database.Database): Promise<'none' | 'completed' | 'rolled-back'> {
  await removeStaleTemps(paths.tmpDir);
  const p = getPending(state);
  const merged = getMergedParentsRecord(state);
  if (!p && !(merged && !merged.confirmed)) return 'none';
  const { fingerprint } = await fingerprintFile(paths.collectionDb);
  // A merge's parents recorded before a replacement that a crash interrupted: they hold only if the
  // merged database made it into place.
  if (merged && !merged.confirmed) setMergedParents(state, fingerprint === merged.fingerprint ? { ...merged, confirmed: true } : undefined);
  if (!p) return 'none';
  if (fingerprint === p.fingerprint) {
    await finishReplace(paths, state, p);
    return 'completed';
  }
  setPending(state, undefined);
  return 'rolled-back';
}

/** Temp files left in tmp/ by a process that no longer runs (see store/stale-temps.ts). */
export async function removeStaleTemps(tmpDir: string): Promise<string[]> {
  return removeStaleTempsIn(tmpDir);
}
