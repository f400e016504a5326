// The one file_sync_log write the store makes: queue a blob for upload when it enters the store and a
// remote is configured. The state machine itself (src/sync/transfer/sync-state.ts) lives in sync;
// the store only creates the initial row, so it needs no sync import.
import type Database from 'better-sqlite3';
import { nowIso } from '../ids.js';

/**
 * Mark `sha1` UploadPending unless the log already tracks it. Content whose remote copy was deleted
 * is queued again; a row that is pending, in progress, completed or failed is left alone.
 */
export function queueUpload(db: Database.Database, sha1: string, type: string): void {
  const now = nowIso();
  db.prepare(
    `INSERT INTO file_sync_log (file_sha1, type, state, attempts, last_error, created_at, updated_at)
     VALUES (?, ?, 'UploadPending', 0, NULL, ?, ?)
     ON CONFLICT(file_sha1) DO UPDATE SET state = 'UploadPending', attempts = 0, last_error = NULL, stored_bytes = NULL, updated_at = excluded.updated_at
       WHERE file_sync_log.state = 'DeletionCompleted'`,
  ).run(sha1, type, now, now);
}
