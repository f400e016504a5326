// What a download request means, decided on plain rows: which files to fetch, which are here
// already, which can be had from nowhere; and whether the disk can take it. Pure, table-tested.
import type { SyncState } from './sync-state.js';

export interface WantedFile {
  sha1: string;
  type: string;
  /** The remote object's key type (`file_sync_log.type`); default `type`. A fetched blob is stored under it. */
  remoteType?: string;
  size: number;
  isLocal: boolean;
  /** The log says the remote holds it (UploadCompleted). */
  isCloud: boolean;
  /** The log row's state (null: the log has no row). */
  syncState?: SyncState | null;
}

export interface DownloadPlan {
  fetch: { sha1: string; type: string; size: number }[];
  alreadyLocal: number;
  /** Neither here nor on the remote: nothing to fetch from. */
  unavailable: { sha1: string; type: string }[];
}

export function planDownloads(files: WantedFile[]): DownloadPlan {
  const seen = new Set<string>();
  const plan: DownloadPlan = { fetch: [], alreadyLocal: 0, unavailable: [] };
  for (const f of files) {
    if (seen.has(f.sha1)) continue; // the same content in two file sets is fetched once
    seen.add(f.sha1);
    if (f.isLocal) plan.alreadyLocal++;
    else if (f.isCloud) plan.fetch.push({ sha1: f.sha1, type: f.remoteType ?? f.type, size: f.size });
    else plan.unavailable.push({ sha1: f.sha1, type: f.remoteType ?? f.type });
  }
  return plan;
}

/**
 * Why a wanted file cannot be downloaded, from its log row:
 *   never-uploaded: no row — no device recorded an upload of it (a DAT rom nobody owns: *missing*);
 *   not-uploaded-yet: a device holds it and its upload is queued, running or failed;
 *   deleted: its remote copy was deleted (prune-blobs), or is being.
 */
export type UnavailableReason = 'never-uploaded' | 'not-uploaded-yet' | 'deleted';

export function unavailableReason(state: SyncState | null | undefined): UnavailableReason {
  if (!state) return 'never-uploaded';
  return state.startsWith('Deletion') ? 'deleted' : 'not-uploaded-yet';
}

/**
 * Whether a file the log does not call uploaded is worth one look at the remote before it is called
 * unavailable: when the log has a row in another state, some device held the content, and may have
 * uploaded it since this device's last pull (another device's pending upload, or a deleted blob put
 * back by the device that holds it). Files with no row are not asked about: they are mostly DAT roms
 * nobody owns, thousands of them, and asking would cost a request each on every run.
 */
export function worthAskingRemote(state: SyncState | null | undefined): boolean {
  return !!state && state !== 'UploadCompleted';
}

/** Headroom kept free beyond the downloads themselves (SQLite, temp files, the rest of the system). */
export const FREE_SPACE_RESERVE_BYTES = 64 * 1024 * 1024;

/** The bytes missing for `needBytes` of downloads, or 0 when they fit with the reserve. */
export function freeSpaceShortfall(needBytes: number, availableBytes: number, reserveBytes = FREE_SPACE_RESERVE_BYTES): number {
  return Math.max(0, needBytes + reserveBytes - availableBytes);
}

/**
 * How to learn the remote (stored) sizes of `wanted` objects of one type before downloading them:
 * one `stat` (HEAD) each, or one listing of the type's folder (1,000 keys per request). A listing
 * returns every object of the type, wanted or not; `known` (the catalogue's files of that type)
 * estimates how many that is. A listed key costs the server far less than a HEAD (s3rver: ~0.18
 * HEAD per listed key at concurrency 8; S3: a 1,000-key page ≈ 100 HEADs), so listing wins once
 * the wanted objects are a quarter of the folder. Only speed depends on this; both give exact sizes.
 */
export function sizeSource(wanted: number, known: number): 'stat' | 'list' {
  return wanted * 4 >= known ? 'list' : 'stat';
}
