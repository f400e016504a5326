// file_sync_log in collection.db: repository functions (db first) that apply the state machine's
// answers. Every state change goes through `applyEvent`, which refuses moves the machine forbids.
import type Database from 'better-sqlite3';
import { nowIso } from '../../store/ids.js';
import { queueUpload } from '../../store/repo/file-sync-log.js';
import { isReferencedFile } from '../../store/repo/files.js';
import { stmt } from '../../store/repo/statements.js';
import { logNote, type LogError } from './log-error.js';
import { SYNC_STATES, transition, type SyncEvent, type SyncRow, type SyncState } from './sync-state.js';

export interface SyncLogEntry extends SyncRow {
  sha1: string;
  type: string;
}

interface RawRow {
  file_sha1: string;
  type: string;
  state: SyncState;
  attempts: number;
  last_error: string | null;
}

const toEntry = (r: RawRow): SyncLogEntry => ({ sha1: r.file_sha1, type: r.type, state: r.state, attempts: r.attempts, lastError: r.last_error });

export function getSyncEntry(db: Database.Database, sha1: string): SyncLogEntry | undefined {
  const r = stmt(db, 'SELECT file_sha1, type, state, attempts, last_error FROM file_sync_log WHERE file_sha1 = ?').get(sha1) as RawRow | undefined;
  return r && toEntry(r);
}

function applyEventNow(db: Database.Database, sha1: string, event: SyncEvent, error?: LogError): SyncLogEntry {
  const cur = getSyncEntry(db, sha1);
  if (!cur) throw new Error(`file_sync_log has no row for ${sha1}`);
  const t = transition(cur, event, error);
  if (!t.ok) throw new Error(`${sha1}: ${t.reason}`);
  stmt(db, 'UPDATE file_sync_log SET state = ?, attempts = ?, last_error = ?, updated_at = ? WHERE file_sha1 = ?').run(
    t.row.state,
    t.row.attempts,
    t.row.lastError,
    nowIso(),
    sha1,
  );
  return { ...cur, ...t.row };
}

// One transaction function per connection (creating one per call showed in upload profiles).
const applyTx = new WeakMap<Database.Database, (sha1: string, event: SyncEvent, error?: LogError) => SyncLogEntry>();

/**
 * The upload of `sha1` completed: UploadCompleted, and the size of the object the remote acknowledged
 * (or was found to hold) kept as every device's hint of the remote size (collection migration 3).
 * Call it inside the caller's transaction (WriteBatch) so that both land together.
 */
export function recordUploaded(db: Database.Database, sha1: string, storedBytes: number): SyncLogEntry {
  const row = applyEvent(db, sha1, 'succeed');
  stmt(db, 'UPDATE file_sync_log SET stored_bytes = ? WHERE file_sha1 = ?').run(storedBytes, sha1);
  return row;
}

/**
 * The remote size of each blob another device (or this one) recorded at upload, for the blobs whose
 * upload completed and whose size is known; keyed by sha1. A hint, not the truth: see migration 3.
 */
export function uploadedSizes(db: Database.Database, sha1s: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const get = stmt(db, `SELECT stored_bytes FROM file_sync_log WHERE file_sha1 = ? AND state = 'UploadCompleted' AND stored_bytes IS NOT NULL`).pluck();
  for (const sha1 of sha1s) {
    const n = get.get(sha1) as number | undefined;
    if (n !== undefined) out.set(sha1, n);
  }
  return out;
}

/**
 * Apply `event` to the blob's row. A forbidden move is a bug in the caller: it throws. `error`
 * becomes last_error in collection.db, which every device receives: only text built by
 * log-error.ts (code, key, the server's answer), never an error's message naming this device's remote.
 */
export function applyEvent(db: Database.Database, sha1: string, event: SyncEvent, error?: LogError): SyncLogEntry {
  let tx = applyTx.get(db);
  if (!tx) applyTx.set(db, (tx = db.transaction((s: string, e: SyncEvent, err?: LogError) => applyEventNow(db, s, e, err))));
  return tx(sha1, event, error);
}

function applyToAll(db: Database.Database, states: SyncState[], event: SyncEvent): number {
  const rows = db.prepare(`SELECT file_sha1 FROM file_sync_log WHERE state IN (${states.map(() => '?').join(',')})`).all(...states) as { file_sha1: string }[];
  db.transaction(() => rows.forEach((r) => applyEvent(db, r.file_sha1, event)))();
  return rows.length;
}

/** On start: whatever a crashed run left in progress goes back to pending. */
export function recoverInProgress(db: Database.Database): number {
  return applyToAll(db, ['UploadInProgress', 'DeletionInProgress'], 'recover');
}

/** On start of a blob clean-up: deletions a crashed run left in progress go back to pending. */
export function recoverDeletions(db: Database.Database): number {
  return applyToAll(db, ['DeletionInProgress'], 'recover');
}

/** The state of every row, by sha1. */
export function syncStatesBySha1(db: Database.Database): Map<string, SyncState> {
  return new Map(db.prepare('SELECT file_sha1, state FROM file_sync_log').raw().all() as [string, SyncState][]);
}

/**
 * Queue the remote copy of `sha1` for deletion (false, and nothing changed, when the row was queued
 * for upload meanwhile): a row the log lacks is created as DeletionPending
 * (a blob some device uploaded without its catalogue ever reaching this one); otherwise the row
 * moves there through the state machine.
 */
export function markForDeletion(db: Database.Database, sha1: string, type: string): boolean {
  const cur = getSyncEntry(db, sha1);
  if (!cur) {
    const now = nowIso();
    db.prepare(`INSERT INTO file_sync_log (file_sha1, type, state, attempts, last_error, created_at, updated_at) VALUES (?, ?, 'DeletionPending', 0, NULL, ?, ?)`).run(sha1, type, now, now);
  } else if (cur.state === 'UploadPending' || cur.state === 'UploadInProgress') {
    // Queued for upload since the plan was made (`trove add` of the same content, `trove drop`
    // finding the object missing, in another process; queue.lock keeps `trove upload` out): some
    // device means to write it. Not a victim.
    return false;
  } else if (cur.state === 'DeletionFailed') applyEvent(db, sha1, 'requeue');
  else if (cur.state !== 'DeletionPending') applyEvent(db, sha1, 'delete');
  return true;
}

/** A user-started upload takes earlier failures again. */
export function requeueFailedUploads(db: Database.Database): number {
  return applyToAll(db, ['UploadFailed'], 'requeue');
}

/** Queue every blob in this device's store that the log does not track (added before a remote was set). */
export function queueUntrackedLocalBlobs(db: Database.Database): number {
  const rows = db
    .prepare('SELECT lb.sha1, lb.type FROM state.local_blob lb LEFT JOIN file_sync_log sl ON sl.file_sha1 = lb.sha1 WHERE sl.file_sha1 IS NULL')
    .all() as { sha1: string; type: string }[];
  db.transaction(() => rows.forEach((r) => queueUpload(db, r.sha1, r.type)))();
  return rows.length;
}

/**
 * The remote object is gone (or may be): the "reupload" edge, and the recorded remote size goes too
 * (it described an object that is no more; the next upload records the new one), as `trove add`
 * does for content added again after a deletion. Call it inside the caller's transaction.
 */
export function requeueGone(db: Database.Database, sha1: string, reason: LogError): SyncLogEntry {
  const row = applyEvent(db, sha1, 'reupload', reason);
  stmt(db, 'UPDATE file_sync_log SET stored_bytes = NULL WHERE file_sha1 = ?').run(sha1);
  return row;
}

/** Deletion states whose remote object is gone or may be, and whose deletion is not running. */
const DELETED_STATES = ['DeletionCompleted', 'DeletionFailed'] as const;

const REQUEUE_DELETED_REASON = logNote('the remote copy was deleted while the catalogue still references this content: uploading it again from a device that holds it');

/**
 * The "reupload" edge for content a remote clean-up deleted while it was still wanted: a blob this
 * device holds, that the catalogue references, whose log row says DeletionCompleted (or
 * DeletionFailed: the delete may have landed) goes back to UploadPending, so that this `trove upload`
 * sends it. Without it, the merged log of two devices (one uploaded and had not pushed yet, the other
 * ran `prune-blobs --include-unknown`) said DeletionCompleted everywhere and the only copy stayed
 * local for ever while `upload` reported nothing to do.
 *
 * DeletionPending and DeletionInProgress are left alone: they are a deletion decided and perhaps
 * under way — by a `prune-blobs` run of this device that died, or by the device whose log the row
 * came from, which may be deleting that object right now — and an upload beside it could be deleted
 * right after it landed. prune-blobs settles such rows (cancel if the object is still there,
 * reupload if it is gone); `unsettledDeletions` counts them for the report. (On this library
 * queue.lock keeps prune-blobs and upload apart.)
 * Reads and writes in one IMMEDIATE transaction, so no other process changes a row in between.
 */
export function requeueDeletedReferencedBlobs(db: Database.Database): { requeued: string[]; unsettled: number } {
  return db
    .transaction(() => {
      const rows = db
        .prepare(
          `SELECT sl.file_sha1 AS sha1, sl.state FROM file_sync_log sl JOIN state.local_blob lb ON lb.sha1 = sl.file_sha1
           WHERE sl.state IN ('DeletionCompleted', 'DeletionFailed', 'DeletionPending', 'DeletionInProgress') ORDER BY sl.file_sha1`,
        )
        .all() as { sha1: string; state: SyncState }[];
      const requeued: string[] = [];
      let unsettled = 0;
      for (const r of rows) {
        if (!isReferencedFile(db, r.sha1)) continue; // deleted because nothing wanted it: stays deleted
        if ((DELETED_STATES as readonly string[]).includes(r.state)) {
          requeueGone(db, r.sha1, REQUEUE_DELETED_REASON);
          requeued.push(r.sha1);
        } else unsettled++;
      }
      return { requeued, unsettled };
    })
    .immediate();
}

export interface UploadCandidate {
  sha1: string;
  /** The remote key's type: `file_sync_log.type`, the type the object is (to be) uploaded under. */
  type: string;
  /** Where this device's blob is: `local_blob.type` (may differ from `type` after a merge changed the catalogue's type). */
  localType: string;
  /** Size of the local blob file (compressed): what the remote object must measure. */
  storedBytes: number;
  /** Size of the content (decompressed): what the blob must decode to. */
  size: number;
  attempts: number;
}

/** Pending uploads whose blob this device holds (others wait for the device that has them). */
export function pendingUploads(db: Database.Database): { ready: UploadCandidate[]; notHere: number } {
  const ready = db
    .prepare(
      `SELECT sl.file_sha1 AS sha1, sl.type, lb.type AS localType, lb.stored_bytes AS storedBytes, lb.size, sl.attempts
       FROM file_sync_log sl JOIN state.local_blob lb ON lb.sha1 = sl.file_sha1
       WHERE sl.state = 'UploadPending' ORDER BY sl.file_sha1`,
    )
    .all() as UploadCandidate[];
  const notHere = (
    db
      .prepare(`SELECT count(*) AS n FROM file_sync_log sl LEFT JOIN state.local_blob lb ON lb.sha1 = sl.file_sha1 WHERE sl.state = 'UploadPending' AND lb.sha1 IS NULL`)
      .get() as { n: number }
  ).n;
  return { ready, notHere };
}

/** Completed uploads (for --verify), with the local blob size when this device has it. */
export function completedUploads(db: Database.Database): (Omit<UploadCandidate, 'storedBytes' | 'size' | 'localType'> & { storedBytes: number | null })[] {
  return db
    .prepare(
      `SELECT sl.file_sha1 AS sha1, sl.type, lb.stored_bytes AS storedBytes, sl.attempts
       FROM file_sync_log sl LEFT JOIN state.local_blob lb ON lb.sha1 = sl.file_sha1
       WHERE sl.state = 'UploadCompleted' ORDER BY sl.file_sha1`,
    )
    .all() as (Omit<UploadCandidate, 'storedBytes' | 'size' | 'localType'> & { storedBytes: number | null })[];
}

export function syncStateCounts(db: Database.Database): Record<SyncState, number> {
  const counts = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
  for (const r of db.prepare('SELECT state, count(*) AS n FROM file_sync_log GROUP BY state').all() as { state: SyncState; n: number }[]) counts[r.state] = r.n;
  return counts;
}
