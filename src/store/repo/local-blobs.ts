// This device's record of the blobs its store holds (state.db `local_blob`).
import type Database from 'better-sqlite3';
import type { FileType } from '../blob/blob-key.js';
import type { KnownContent } from '../blob/blob-commit.js';
import { stmt } from './statements.js';

/**
 * What an ingest needs to know of content `sha1`: the type it is catalogued (file row) or else stored
 * (local_blob row) under, and the stored size this device records for that blob. `db` is a Library's
 * collection connection (state.db attached as `state`).
 */
export function knownContent(db: Database.Database, sha1: string): KnownContent | undefined {
  const r = stmt(
    db,
    `SELECT (SELECT type FROM main.file WHERE sha1 = @sha1) AS fileType, lb.type AS localType, lb.stored_bytes AS storedBytes
     FROM (SELECT 1) LEFT JOIN state.local_blob lb ON lb.sha1 = @sha1`,
  ).get({ sha1 }) as { fileType: FileType | null; localType: FileType | null; storedBytes: number | null };
  const type = r.fileType ?? r.localType;
  if (!type) return undefined;
  return r.localType === type && r.storedBytes !== null ? { type, recordedBytes: r.storedBytes } : { type };
}
