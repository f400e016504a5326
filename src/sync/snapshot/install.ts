// Installing a snapshot from the remote as collection.db: schema version checked from the manifest
// before any download, the blob downloaded and verified (SHA1, size) into tmp/, the database verified
// (schema, integrity_check, foreign_key_check, row counts), then the atomic replacement, preceded by
// a local backup. On any failure before the rename, collection.db is untouched and tmp/ is cleaned.
import Database from 'better-sqlite3';
import fsp from 'node:fs/promises';
import type { Library, LibraryPaths } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { DEFAULT_BACKUPS_KEEP, BACKUPS_KEEP_SETTING, pruneBackups, type BackupRecord } from './backups.js';
import { crashPoint } from './crash-point.js';
import { fingerprintFile, hasCanonicalHeader } from './fingerprint.js';
import { manifestKey, type SnapshotManifest } from './manifest.js';
import { downloadVerified } from './remote-content.js';
import { loadChunkIndex, localChunksFrom, type LocalChunks } from './chunked-db.js';
import { getBase, getPending, setMergedParents } from './sync-state.js';
import { replaceCollectionDb } from './replace-db.js';
import { checkSchemaVersion, verifyDatabaseFile } from './verify-snapshot.js';
import { migrate } from '../../store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../store/migrations/collection/index.js';

export interface InstallOptions {
  /** Restores keep the base (the restored content becomes local changes); pulls move it. */
  keepBase: boolean;
  reason: string;
  /**
   * collection.db's content fingerprint when the caller decided (see ReplaceRequest): the replacement
   * refuses if another process wrote to it since.
   */
  expectFingerprint: string | undefined;
}

export async function removeDbTemp(file: string): Promise<void> {
  for (const s of ['', '-wal', '-shm', '-journal']) await fsp.rm(`${file}${s}`, { force: true });
}

/**
 * A database of an older schema is migrated here, in tmp/, before it is installed — not by the next
 * command that opens the library. Its fingerprint then describes the migrated content, and the base
 * records that: otherwise the migration on open changed collection.db after the base was recorded,
 * and the device reported "local changes" (then conflicts on every pull) until it pushed. Returns the
 * migrated file's fingerprint, or undefined when the file is current.
 */
async function migrateOlder(file: string, label: string): Promise<string | undefined> {
  const db = new Database(file, { fileMustExist: true });
  let moved: { from: number; to: number };
  try {
    moved = migrate(db, COLLECTION_MIGRATIONS, `${label} (migrated in tmp/)`);
  } finally {
    db.close();
  }
  if (moved.from === moved.to) return undefined;
  return (await fingerprintFile(file)).fingerprint;
}

/**
 * Put a closed database file in WAL mode, leaving no -wal/-shm beside it. Installed files are in WAL
 * mode already so that opening the library does not rewrite the header (bytes 18–19): collection.db
 * stays byte-for-byte what was installed until a real write.
 */
async function toWalMode(file: string): Promise<void> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  for (const s of ['-wal', '-shm']) await fsp.rm(`${file}${s}`, { force: true });
}

export async function installDatabaseFile(
  lib: Library,
  file: string,
  label: string,
  target: { snapshotId: string | null; dbSha1: string | null; fingerprint: string; schemaVersion?: number; rowCounts?: Record<string, number> },
  opts: InstallOptions,
): Promise<{ backup: BackupRecord }> {
  try {
    await verifyDatabaseFile(file, label, { schemaVersion: target.schemaVersion, rowCounts: target.rowCounts });
    const fingerprint = (await migrateOlder(file, label)) ?? target.fingerprint;
    await toWalMode(file);
    lib.db.close();
    const { backup } = await replaceCollectionDb(lib.paths, lib.state, {
      newFile: file,
      pending: { snapshotId: target.snapshotId, dbSha1: target.dbSha1, fingerprint, keepBase: opts.keepBase },
      reason: opts.reason,
      expectFingerprint: opts.expectFingerprint,
    });
    const keep = Number(lib.getSetting(BACKUPS_KEEP_SETTING) ?? DEFAULT_BACKUPS_KEEP);
    await pruneBackups(lib.paths, lib.state, Number.isFinite(keep) ? keep : DEFAULT_BACKUPS_KEEP);
    return { backup };
  } finally {
    await removeDbTemp(file);
  }
}

/**
 * Make a merged database (built and checked by the merge: quick_check, foreign keys of the touched rows) the
 * library's collection.db through the one replacement path: WAL folded into the old file, a backup of
 * it indexed in state.db (`trove backups list/restore`), stale -wal/-shm removed, rename, fsync. The
 * base stays: the merged content is a local change until it is pushed. No connection of this process
 * may be open on collection.db. `file` is consumed.
 */
export async function installMergedFile(
  paths: LibraryPaths,
  state: Database.Database,
  file: string,
  opts: { reason: string; expectFingerprint: string | undefined; mergedParents?: readonly string[] },
): Promise<{ backup: BackupRecord; fingerprint: string }> {
  try {
    await toWalMode(file);
    const { fingerprint } = await fingerprintFile(file);
    const base = getBase(state);
    // The parents the next push names (see sync-state: confirmed only once the rename is done).
    if (opts.mergedParents) setMergedParents(state, { parents: [...opts.mergedParents], fingerprint, confirmed: false });
    let backup: BackupRecord;
    try {
      ({ backup } = await replaceCollectionDb(paths, state, {
        newFile: file,
        pending: { snapshotId: base?.snapshotId ?? null, dbSha1: base?.dbSha1 ?? null, fingerprint, keepBase: true },
        reason: opts.reason,
        expectFingerprint: opts.expectFingerprint,
      }));
    } catch (err) {
      // Refused before the rename (busy, changed meanwhile): collection.db is the old file, nothing was merged.
      if (opts.mergedParents && !getPending(state)) setMergedParents(state, undefined);
      throw err;
    }
    const setting = state.prepare('SELECT value FROM setting WHERE key = ?').get(BACKUPS_KEEP_SETTING) as { value: string } | undefined;
    const keep = Number(setting?.value ?? DEFAULT_BACKUPS_KEEP);
    if (opts.mergedParents) setMergedParents(state, { parents: [...opts.mergedParents], fingerprint, confirmed: true });
    await pruneBackups(paths, state, Number.isFinite(keep) ? keep : DEFAULT_BACKUPS_KEEP);
    return { backup, fingerprint };
  } finally {
    await removeDbTemp(file);
  }
}

/** Where this device's base snapshot's chunks sit in collection.db (each is re-hashed before reuse). */
async function localChunksOf(lib: Library, remote: Remote): Promise<LocalChunks | undefined> {
  const baseId = getBase(lib.state)?.snapshotId;
  const row = baseId ? (lib.state.prepare('SELECT json FROM snapshot_manifest_cache WHERE id = ?').get(baseId) as { json: string } | undefined) : undefined;
  if (!row) return undefined;
  const base = JSON.parse(row.json) as SnapshotManifest;
  if (base.database.format !== 'chunks') return undefined;
  try {
    return localChunksFrom(lib.paths.collectionDb, base.database.chunk_bytes!, await loadChunkIndex(remote, base.database, `snapshot ${base.id}`));
  } catch {
    return undefined; // only an optimisation: everything is downloaded instead
  }
}

export async function installSnapshot(lib: Library, remote: Remote, m: SnapshotManifest, opts: InstallOptions): Promise<{ backup: BackupRecord }> {
  const label = `snapshot ${m.id} (${manifestKey(m.id)} on ${remote.description})`;
  checkSchemaVersion(m.schema_version, label);
  await crashPoint('before-download');
  let head = Buffer.alloc(0);
  const local = await localChunksOf(lib, remote);
  const file = await downloadVerified(
    remote,
    m.database,
    lib.paths.tmpDir,
    label,
    (c) => {
      if (head.length < 100) head = Buffer.concat([head, c.subarray(0, 100 - head.length)]);
    },
    local,
  );
  // Snapshots written by trove have a canonical header: their SHA1 is their fingerprint. Anything
  // else is fingerprinted the slow way (correct either way; only speed differs).
  let fingerprint = m.database.sha1;
  if (!hasCanonicalHeader(head)) {
    try {
      fingerprint = (await fingerprintFile(file)).fingerprint;
    } catch (err) {
      await removeDbTemp(file);
      throw err;
    }
  }
  return installDatabaseFile(lib, file, label, { snapshotId: m.id, dbSha1: m.database.sha1, fingerprint, schemaVersion: m.schema_version, rowCounts: m.row_counts }, opts);
}
