// file rows (content known by SHA1) and this device's local_blob cache in state.db.
import type Database from 'better-sqlite3';
import { nowIso } from '../ids.js';
import type { FileType } from '../blob/blob-key.js';
import { stmt } from './statements.js';

export interface FileRow {
  sha1: string;
  size: number;
  crc32: string | null;
  md5: string | null;
  type: FileType;
  created_at: string;
  updated_at: string;
}

export interface FileInput {
  sha1: string;
  size: number;
  crc32: string | null;
  md5: string | null;
  type: FileType;
}

/** Insert a file, or fill in digests an earlier row lacked (a DAT without md5, say). */
export function upsertFile(db: Database.Database, f: FileInput): void {
  const now = nowIso();
  stmt(db, 
    `INSERT INTO file (sha1, size, crc32, md5, type, created_at, updated_at)
     VALUES (@sha1, @size, @crc32, @md5, @type, @now, @now)
     ON CONFLICT(sha1) DO UPDATE SET
       crc32 = coalesce(file.crc32, excluded.crc32),
       md5 = coalesce(file.md5, excluded.md5),
       updated_at = CASE WHEN (file.crc32 IS NULL AND excluded.crc32 IS NOT NULL) OR (file.md5 IS NULL AND excluded.md5 IS NOT NULL)
                         THEN excluded.updated_at ELSE file.updated_at END`,
  ).run({ ...f, now });
}

export function getFile(db: Database.Database, sha1: string): FileRow | undefined {
  return stmt(db, 'SELECT * FROM file WHERE sha1 = ?').get(sha1) as FileRow | undefined;
}

/** Record that this device's store holds the blob. `db` is any connection that sees `state.local_blob`. */
export function markLocal(db: Database.Database, schema: 'state' | 'main', b: { sha1: string; type: FileType; size: number; storedBytes: number }): void {
  stmt(db, 
    `INSERT INTO ${schema}.local_blob (sha1, type, size, stored_bytes, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(sha1) DO UPDATE SET type = excluded.type, size = excluded.size, stored_bytes = excluded.stored_bytes`,
  ).run(b.sha1, b.type, b.size, b.storedBytes, nowIso());
}

export function unmarkLocal(db: Database.Database, schema: 'state' | 'main', sha1: string): void {
  stmt(db, `DELETE FROM ${schema}.local_blob WHERE sha1 = ?`).run(sha1);
}

/**
 * The files the catalogue references, `[type, sha1]` sorted by sha1: members of some file set, or DAT
 * roms matched to them. A `file` row nothing points at (kept while a local blob or a sync-log row
 * names it) is not a reference: its content may be deleted from the remote. Snapshot file lists and
 * remote blob clean-up both use this one definition. Needs only collection.db's tables.
 */
export function referencedFiles(db: Database.Database): [type: string, sha1: string][] {
  return db
    .prepare(
      `SELECT type, sha1 FROM file f
       WHERE EXISTS (SELECT 1 FROM file_set_file m WHERE m.file_sha1 = f.sha1)
          OR EXISTS (SELECT 1 FROM dat_rom d WHERE d.matched_sha1 = f.sha1)
       ORDER BY sha1`,
    )
    .raw()
    .all() as [string, string][];
}

/** Whether the catalogue references `sha1` (same definition as referencedFiles). */
export function isReferencedFile(db: Database.Database, sha1: string): boolean {
  return !!db
    .prepare('SELECT 1 FROM file_set_file WHERE file_sha1 = ? UNION ALL SELECT 1 FROM dat_rom WHERE matched_sha1 = ? LIMIT 1')
    .get(sha1, sha1);
}
