// This device's record of the blobs its store holds (state.db `local_blob`), written so that it can
// be taken back: a batch is recorded in a transaction of its own on state.db's connection, and what
// it replaced is kept, so a caller whose next step fails (the catalogue's commit) restores it.
// collection.db and state.db are separate WAL databases: SQLite commits each atomically, never the
// two together, so callers order the commits and undo, rather than rely on one transaction.
//
// Ingests of two processes meet in the store: a blob one of them stored (and may remove again: a scan's
// blob that matched nothing, a failed add's) can be the blob the other found already there and is
// about to record. Both sides therefore act under state.db's write lock (BEGIN IMMEDIATE): removal of
// a blob this process created happens only while no row records it, and recording checks, under the
// same lock, that every blob it records is in the store — so a record never names a blob that is gone
// (restic and git-annex never remove objects outside an exclusive prune for the same reason).
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { TroveError } from '../errors.js';
import { nowIso } from '../ids.js';
import { blobPath, type FileType } from '../blob/blob-key.js';
import type { KnownContent } from '../blob/blob-commit.js';
import { stmt } from './statements.js';

export interface LocalBlobRow {
  sha1: string;
  type: string;
  size: number;
  stored_bytes: number;
  created_at: string;
}

export interface LocalBlobInput {
  sha1: string;
  type: FileType;
  size: number;
  storedBytes: number;
}

/** The rows a recordLocalBlobs call changed, as they were before it (undefined: there was none). */
export type LocalBlobUndo = Map<string, LocalBlobRow | undefined>;

/**
 * What an ingest needs to know of content `sha1`: the type this device stores it under (local_blob
 * row) or else the type it is catalogued under (file row), and the stored size this device records
 * for that blob. `db` is a Library's collection connection (state.db attached as `state`).
 */
export function knownContent(db: Database.Database, sha1: string): KnownContent | undefined {
  const r = stmt(
    db,
    `SELECT (SELECT type FROM main.file WHERE sha1 = @sha1) AS fileType, lb.type AS localType, lb.stored_bytes AS storedBytes
     FROM (SELECT 1) LEFT JOIN state.local_blob lb ON lb.sha1 = @sha1`,
  ).get({ sha1 }) as { fileType: FileType | null; localType: FileType | null; storedBytes: number | null };
  // The blob this device holds stays where it is (local_blob.type), even when a merge has since
  // changed the catalogue's type: adding the content again reuses it, never writes a second copy.
  const type = r.localType ?? r.fileType;
  if (!type) return undefined;
  return r.localType === type && r.storedBytes !== null ? { type, recordedBytes: r.storedBytes } : { type };
}

export function getLocalBlob(state: Database.Database, sha1: string): LocalBlobRow | undefined {
  return stmt(state, 'SELECT sha1, type, size, stored_bytes, created_at FROM main.local_blob WHERE sha1 = ?').get(sha1) as LocalBlobRow | undefined;
}

/**
 * Record `blobs` as present in one transaction on `state` (state.db's own connection), committed when
 * this returns. Rows that already say exactly this are not written. Returns what is needed to undo it.
 * Under the write lock, each blob must be in `storeDir`: one another trove process removed after this
 * one found it there (its own unmatched or rolled-back blob) fails the whole record with BUSY, naming
 * it, and nothing is recorded. When called inside a transaction on `state`, that one must have been
 * begun IMMEDIATE (the check is only as good as the lock it runs under).
 */
export function recordLocalBlobs(state: Database.Database, storeDir: string, blobs: LocalBlobInput[]): LocalBlobUndo {
  const undo: LocalBlobUndo = new Map();
  const upsert = stmt(
    state,
    `INSERT INTO main.local_blob (sha1, type, size, stored_bytes, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(sha1) DO UPDATE SET type = excluded.type, size = excluded.size, stored_bytes = excluded.stored_bytes`,
  );
  state.transaction(() => {
    const now = nowIso();
    for (const b of blobs) {
      if (undo.has(b.sha1)) continue;
      const file = blobPath(storeDir, b.type, b.sha1);
      if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
        throw new TroveError(
          'BUSY',
          `blob ${b.sha1} was removed from the store by another trove process working on this library at the same time (${file}); nothing was recorded: run the command again`,
          { details: { sha1: b.sha1, path: file } },
        );
      }
      const prev = getLocalBlob(state, b.sha1);
      if (prev && prev.type === b.type && prev.size === b.size && prev.stored_bytes === b.storedBytes) continue;
      undo.set(b.sha1, prev);
      upsert.run(b.sha1, b.type, b.size, b.storedBytes, now);
    }
  }).immediate();
  return undo;
}

/** Put the rows a recordLocalBlobs call changed back as they were (one transaction). */
export function undoLocalBlobs(state: Database.Database, undo: LocalBlobUndo): void {
  if (!undo.size) return;
  state.transaction(() => {
    for (const [sha1, prev] of undo) {
      if (prev) restoreLocalBlob(state, prev);
      else stmt(state, 'DELETE FROM main.local_blob WHERE sha1 = ?').run(sha1);
    }
  })();
}

/** Write back a row read with getLocalBlob (after it was removed or changed). */
export function restoreLocalBlob(state: Database.Database, row: LocalBlobRow): void {
  stmt(
    state,
    `INSERT INTO main.local_blob (sha1, type, size, stored_bytes, created_at) VALUES (@sha1, @type, @size, @stored_bytes, @created_at)
     ON CONFLICT(sha1) DO UPDATE SET type = excluded.type, size = excluded.size, stored_bytes = excluded.stored_bytes, created_at = excluded.created_at`,
  ).run(row);
}

/**
 * Remove blobs this process created (`paths`, `store/<type>/<xx>/<sha1>.zst`) that it no longer wants,
 * each only while no local_blob row records it — under state.db's write lock, so that another process
 * that found one of them in the store and recorded it keeps it (see the top of this file). Returns the
 * paths it left because a row records them.
 */
export function removeUnrecordedBlobs(state: Database.Database, paths: Iterable<string>): string[] {
  const list = [...paths];
  if (!list.length) return [];
  const kept: string[] = [];
  const recordedRow = stmt(state, 'SELECT 1 FROM main.local_blob WHERE sha1 = ?');
  state
    .transaction(() => {
      for (const p of list) {
        if (recordedRow.get(path.basename(p, '.zst'))) kept.push(p);
        else fs.rmSync(p, { force: true });
      }
    })
    .immediate();
  return kept;
}

/**
 * After an ingest (add, scan) failed: put back the local_blob rows it committed, if any, then remove
 * the blobs it created — only once no row can be left naming them, and none that another process has
 * recorded meanwhile (removeUnrecordedBlobs). If the undo fails, the blobs stay where their rows say
 * they are (recorded, not named by the catalogue: the next ingest finds them).
 */
export async function undoIngest(state: Database.Database, recorded: LocalBlobUndo | undefined, created: Iterable<string>): Promise<void> {
  if (recorded) {
    try {
      undoLocalBlobs(state, recorded);
    } catch {
      return;
    }
  }
  try {
    removeUnrecordedBlobs(state, created);
  } catch {
    // state.db busy or unwritable: the blobs stay, unrecorded (verify reports and adopts them).
  }
}
