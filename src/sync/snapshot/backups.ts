// Local backups of collection.db, taken before every step that replaces it (pull, snapshot restore,
// backup restore). A backup is the old database file itself, kept under backups/<id>.db: taken as a
// hard link just before the rename that retires it (instant, and the retired inode is never written
// again), or a copy where links are impossible. state.db's `backup` table indexes them with the
// content fingerprint, so a restore can prove the file is intact before using it.
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../../store/atomic-fs.js';
import { TroveError, withContext } from '../../store/errors.js';
import { nowIso, uuidv7 } from '../../store/ids.js';
import { openDatabase, type LibraryPaths } from '../../store/library.js';
import { fingerprintFile } from './fingerprint.js';
import { rowCountsOf } from './snapshot-writer.js';
import { getBase } from './sync-state.js';

export const BACKUPS_KEEP_SETTING = 'backups.keep';
export const DEFAULT_BACKUPS_KEEP = 10;

export interface BackupRecord {
  id: string;
  createdAt: string;
  reason: string;
  file: string;
  dbSize: number;
  fingerprint: string;
  schemaVersion: number;
  baseSnapshotId: string | null;
  /** The file is gone (deleted outside trove): listed so that the user sees it, never restorable. */
  missing?: boolean;
}

function fromRow(paths: LibraryPaths, r: Record<string, unknown>): BackupRecord {
  return {
    id: r.id as string,
    createdAt: r.created_at as string,
    reason: r.reason as string,
    file: path.join(paths.backupsDir, r.file as string),
    dbSize: r.db_size as number,
    fingerprint: r.fingerprint as string,
    schemaVersion: r.schema_version as number,
    baseSnapshotId: (r.base_snapshot_id as string | null) ?? null,
  };
}

/** Every backup, each marked `missing` when its file is gone. */
export function listBackupsChecked(paths: LibraryPaths, state: Database.Database): BackupRecord[] {
  return listBackups(paths, state).map((b) => (fs.existsSync(b.file) ? b : { ...b, missing: true }));
}

/**
 * Back up collection.db, which no connection has open and whose WAL is folded in. The fingerprint is
 * computed from the backup file unless the caller just computed it for this very file.
 */
export async function createBackupOfClosedDb(paths: LibraryPaths, state: Database.Database, opts: { reason: string; fingerprint?: string }): Promise<BackupRecord> {
  const id = uuidv7();
  const name = `${id}.db`;
  const file = path.join(paths.backupsDir, name);
  await fsp.mkdir(paths.backupsDir, { recursive: true });
  try {
    try {
      await fsp.link(paths.collectionDb, file);
    } catch {
      await fsp.copyFile(paths.collectionDb, file);
      const h = await fsp.open(file, 'r+');
      await h.sync().finally(() => h.close());
    }
    await fsyncDir(paths.backupsDir);
  } catch (err) {
    await fsp.rm(file, { force: true });
    throw withContext(`backing up ${paths.collectionDb} to ${file}`, err);
  }
  const fingerprint = opts.fingerprint ?? (await fingerprintFile(file)).fingerprint;
  const st = await fsp.stat(file);
  const version = await userVersionOf(file);
  const rec: BackupRecord = {
    id,
    createdAt: nowIso(),
    reason: opts.reason,
    file,
    dbSize: st.size,
    fingerprint,
    schemaVersion: version,
    baseSnapshotId: getBase(state)?.snapshotId ?? null,
  };
  state
    .prepare('INSERT INTO backup (id, created_at, reason, file, db_size, fingerprint, schema_version, base_snapshot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(rec.id, rec.createdAt, rec.reason, name, rec.dbSize, rec.fingerprint, rec.schemaVersion, rec.baseSnapshotId);
  return rec;
}

/** PRAGMA user_version read from the header (bytes 60–63), without opening the file with SQLite. */
async function userVersionOf(file: string): Promise<number> {
  const h = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    await h.read(buf, 0, 4, 60);
    return buf.readUInt32BE(0);
  } finally {
    await h.close();
  }
}

export function listBackups(paths: LibraryPaths, state: Database.Database): BackupRecord[] {
  return (state.prepare('SELECT * FROM backup ORDER BY id').all() as Record<string, unknown>[]).map((r) => fromRow(paths, r));
}

export function findBackup(paths: LibraryPaths, state: Database.Database, ref: string): BackupRecord {
  if (!ref.trim()) throw new TroveError('USAGE', 'give a backup id (or the start of one; see `trove backups list`)');
  const all = listBackups(paths, state).filter((b) => b.id === ref || b.id.startsWith(ref));
  if (all.length === 0) throw new TroveError('NOT_FOUND', `no backup ${ref} (see \`trove backups list\`)`);
  if (all.length > 1) throw new TroveError('AMBIGUOUS', `backup ${ref} matches ${all.length} backups; give more of the id`);
  const b = all[0]!;
  if (!fs.existsSync(b.file)) {
    throw new TroveError('NOT_FOUND', `backup ${b.id}'s file ${b.file} is missing (deleted outside trove?); choose another one (\`trove backups list\`)`, { details: { path: b.file } });
  }
  return b;
}

/** Keep the newest `keep` backups (0 keeps all); the one just taken is always among them. */
export async function pruneBackups(paths: LibraryPaths, state: Database.Database, keep: number): Promise<BackupRecord[]> {
  if (keep <= 0) return [];
  const all = listBackups(paths, state);
  const drop = all.slice(0, Math.max(0, all.length - keep));
  for (const b of drop) {
    await fsp.rm(b.file, { force: true });
    state.prepare('DELETE FROM backup WHERE id = ?').run(b.id);
  }
  return drop;
}

const countsCache = new Map<string, Record<string, number>>();

/**
 * Row counts per table of a backup (what a restore would bring back), read through a read-only
 * connection; a backup never changes once taken, so the counts are remembered per id and fingerprint.
 */
export function backupRowCounts(b: BackupRecord): Record<string, number> {
  const key = `${b.id}:${b.fingerprint}`;
  let counts = countsCache.get(key);
  if (!counts) {
    const db = openDatabase(b.file, { readonly: true });
    try {
      counts = rowCountsOf(db);
    } finally {
      db.close();
    }
    countsCache.set(key, counts);
  }
  return counts;
}
