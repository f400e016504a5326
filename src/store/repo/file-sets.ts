// file_set rows and their membership (file_set_file): which files, under which archive names.
import type Database from 'better-sqlite3';
import { nameId, nowIso } from '../ids.js';
import type { FileType } from '../blob/blob-key.js';
import { stmt } from './statements.js';

export interface FileSetRow {
  id: string;
  release_id: string;
  type: FileType;
  name: string;
  created_at: string;
  updated_at: string;
}

export function upsertFileSet(db: Database.Database, releaseId: string, type: FileType, name: string): FileSetRow {
  const existing = stmt(db, 'SELECT * FROM file_set WHERE release_id = ? AND type = ? AND name = ?').get(releaseId, type, name) as FileSetRow | undefined;
  if (existing) return existing;
  const now = nowIso();
  const row: FileSetRow = { id: nameId('file_set', releaseId, type, name), release_id: releaseId, type, name, created_at: now, updated_at: now };
  stmt(db, 'INSERT INTO file_set (id, release_id, type, name, created_at, updated_at) VALUES (@id, @release_id, @type, @name, @created_at, @updated_at)').run(row);
  return row;
}

/** The position after the file set's last member. Batch callers ask once and count on from there. */
export function nextPosition(db: Database.Database, fileSetId: string): number {
  return (stmt(db, 'SELECT coalesce(max(position) + 1, 0) AS p FROM file_set_file WHERE file_set_id = ?').get(fileSetId) as { p: number }).p;
}

/**
 * Put `sha1` in the file set under `name`. A name already present with other content is repointed
 * (a new version of that file); with the same content it is left alone. Returns what happened.
 * `position` hands out the next position for a new member (batch callers); default: after the last.
 */
export function setMember(db: Database.Database, fileSetId: string, name: string, sha1: string, position?: () => number): 'added' | 'changed' | 'unchanged' {
  const existing = stmt(db, 'SELECT id, file_sha1 FROM file_set_file WHERE file_set_id = ? AND name = ?').get(fileSetId, name) as
    | { id: string; file_sha1: string }
    | undefined;
  const now = nowIso();
  if (existing) {
    if (existing.file_sha1 === sha1) return 'unchanged';
    stmt(db, 'UPDATE file_set_file SET file_sha1 = ?, updated_at = ? WHERE id = ?').run(sha1, now, existing.id);
    return 'changed';
  }
  stmt(db, 
    `INSERT INTO file_set_file (id, file_set_id, file_sha1, name, position, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(nameId('file_set_file', fileSetId, name), fileSetId, sha1, name, position ? position() : nextPosition(db, fileSetId), now, now);
  return 'added';
}
