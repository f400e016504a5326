// The files a transfer command names (a release, a file set, a system, a type, or everything), with
// what the plans need: local presence, the log's state, the local blob size. `db` is a Library's
// collection connection (state.db attached as `state`).
import type Database from 'better-sqlite3';
import type { SyncState } from './sync-state.js';

export interface TargetFilter {
  systemId?: string;
  releaseId?: string;
  fileSetId?: string;
  type?: string;
}

export interface TargetFile {
  sha1: string;
  /** The catalogue's type (`file.type`, synced): what the content is, not where its blob lives. */
  type: string;
  /** Where this device's blob is: `local_blob.type` (null: not here). See docs/store.md "Where a blob is". */
  localType: string | null;
  /** The remote object's key type: `file_sync_log.type` (else `file.type` when the log has no row). */
  remoteType: string;
  size: number;
  isLocal: boolean;
  isCloud: boolean;
  syncState: SyncState | null;
  storedBytes: number | null;
}

export function targetFiles(db: Database.Database, f: TargetFilter): TargetFile[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT fl.sha1, fl.type, lb.type AS localType, coalesce(sl.type, fl.type) AS remoteType, fl.size, lb.stored_bytes AS storedBytes, sl.state AS syncState
       FROM file_set_file fsf
       JOIN file fl ON fl.sha1 = fsf.file_sha1
       JOIN file_set fs ON fs.id = fsf.file_set_id
       JOIN release r ON r.id = fs.release_id
       LEFT JOIN state.local_blob lb ON lb.sha1 = fl.sha1
       LEFT JOIN file_sync_log sl ON sl.file_sha1 = fl.sha1
       WHERE (@systemId IS NULL OR r.system_id = @systemId)
         AND (@releaseId IS NULL OR fs.release_id = @releaseId)
         AND (@fileSetId IS NULL OR fs.id = @fileSetId)
         AND (@type IS NULL OR fl.type = @type)
       ORDER BY fl.sha1`,
    )
    .all({ systemId: f.systemId ?? null, releaseId: f.releaseId ?? null, fileSetId: f.fileSetId ?? null, type: f.type ?? null }) as {
    sha1: string;
    type: string;
    localType: string | null;
    remoteType: string;
    size: number;
    storedBytes: number | null;
    syncState: SyncState | null;
  }[];
  return rows.map((r) => ({ ...r, isLocal: r.storedBytes !== null, isCloud: r.syncState === 'UploadCompleted' }));
}
