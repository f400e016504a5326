// `trove status`: the transfer queues and, per system, how many files are where. Plain data for the
// CLI (text or --json) and the TUI.
import type Database from 'better-sqlite3';
import type { Availability } from '../../store/availability.js';
import { downloadStateCounts, type DownloadState } from './download-queue.js';
import { syncStateCounts } from './sync-log.js';
import type { SyncState } from './sync-state.js';

export interface SystemAvailability {
  system: string;
  files: number;
  bytes: number;
  availability: Record<Availability, number>;
}

export interface TransferStatus {
  remote: string | null;
  uploads: Record<SyncState, number>;
  downloads: Record<DownloadState, number>;
  systems: SystemAvailability[];
}

/** `db`: a Library's collection connection; `state`: its state.db connection. */
export function transferStatus(db: Database.Database, state: Database.Database, remote: string | null): TransferStatus {
  const rows = db
    .prepare(
      `WITH files AS (
         SELECT DISTINCT s.name AS system, fl.sha1, fl.size,
                (lb.sha1 IS NOT NULL) AS local, (coalesce(sl.state, '') = 'UploadCompleted') AS cloud
         FROM file_set_file fsf
         JOIN file fl ON fl.sha1 = fsf.file_sha1
         JOIN file_set fs ON fs.id = fsf.file_set_id
         JOIN release r ON r.id = fs.release_id
         JOIN system s ON s.id = r.system_id
         LEFT JOIN state.local_blob lb ON lb.sha1 = fl.sha1
         LEFT JOIN file_sync_log sl ON sl.file_sha1 = fl.sha1)
       SELECT system, count(*) AS files, coalesce(sum(size), 0) AS bytes,
              sum(local AND NOT cloud) AS LocalOnly, sum(cloud AND NOT local) AS CloudOnly,
              sum(local AND cloud) AS Synchronized, sum(NOT local AND NOT cloud) AS NotAvailable
       FROM files GROUP BY system ORDER BY system`,
    )
    .all() as ({ system: string; files: number; bytes: number } & Record<Availability, number>)[];
  return {
    remote,
    uploads: syncStateCounts(db),
    downloads: downloadStateCounts(state),
    systems: rows.map((r) => ({
      system: r.system,
      files: r.files,
      bytes: r.bytes,
      availability: { LocalOnly: r.LocalOnly, CloudOnly: r.CloudOnly, Synchronized: r.Synchronized, NotAvailable: r.NotAvailable },
    })),
  };
}
