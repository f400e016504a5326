// What the catalogue currently holds for one system, read with a handful of set queries (not one query
// per game) into plain maps: the input of the pure import plan. `db` is a Library's collection
// connection (state.db attached as `state`, for availability).
import type Database from 'better-sqlite3';

export interface CurrentMember {
  name: string;
  sha1: string;
  size: number;
  position: number;
  /** Content can be had: local or in the cloud. */
  available: boolean;
  /** In this device's store. */
  local: boolean;
  /** Recorded as uploaded (file_sync_log UploadCompleted). */
  cloud: boolean;
}

export interface CurrentCrcRom {
  name: string;
  size: number;
  crc32: string;
  md5: string | null;
  matchedSha1: string | null;
}

export interface CurrentFileSet {
  id: string;
  releaseId: string;
  type: string;
  name: string;
  members: CurrentMember[];
  crcRoms: CurrentCrcRom[];
}

export interface CurrentRelease {
  id: string;
  name: string;
  region: string | null;
  title: string | null;
}

export interface CurrentDatGame {
  sourceId: string;
  fileSetId: string;
  releaseId: string;
  name: string;
  cloneOf: string | null;
}

export interface CatalogState {
  systemId: string;
  /** By release name. */
  releases: Map<string, CurrentRelease>;
  /** Every file set of the system's releases, by id. */
  fileSets: Map<string, CurrentFileSet>;
  datGames: CurrentDatGame[];
  /**
   * The size of content with this sha1 that trove itself hashed (stored on this device or recorded
   * as uploaded by one), whatever system it is in; undefined when only catalogues have named it.
   */
  contentSize: (sha1: string) => number | undefined;
}

export function emptyCatalogState(systemId: string): CatalogState {
  return { systemId, releases: new Map(), fileSets: new Map(), datGames: [], contentSize: () => undefined };
}

export function loadCatalogState(db: Database.Database, systemId: string): CatalogState {
  const state = emptyCatalogState(systemId);
  const contentSize = db.prepare(
    `SELECT f.size FROM file f WHERE f.sha1 = ?
       AND (EXISTS (SELECT 1 FROM state.local_blob lb WHERE lb.sha1 = f.sha1) OR EXISTS (SELECT 1 FROM file_sync_log sl WHERE sl.file_sha1 = f.sha1))`,
  ).pluck();
  state.contentSize = (sha1) => contentSize.get(sha1) as number | undefined;
  const releases = db
    .prepare(
      `SELECT r.id, r.name, r.region, t.name AS title FROM release r
       LEFT JOIN software_title t ON t.id = r.software_title_id WHERE r.system_id = ?`,
    )
    .all(systemId) as CurrentRelease[];
  for (const r of releases) state.releases.set(r.name, r);
  const fileSets = db
    .prepare(`SELECT fs.id, fs.release_id AS releaseId, fs.type, fs.name FROM file_set fs JOIN release r ON r.id = fs.release_id WHERE r.system_id = ?`)
    .all(systemId) as Omit<CurrentFileSet, 'members' | 'crcRoms'>[];
  for (const fs of fileSets) state.fileSets.set(fs.id, { ...fs, members: [], crcRoms: [] });
  const members = db
    .prepare(
      `SELECT fsf.file_set_id AS fileSetId, fsf.name, fsf.file_sha1 AS sha1, f.size, fsf.position,
              (lb.sha1 IS NOT NULL) AS local, (coalesce(sl.state, '') = 'UploadCompleted') AS cloud
       FROM file_set_file fsf
       JOIN file_set fs ON fs.id = fsf.file_set_id
       JOIN release r ON r.id = fs.release_id
       JOIN file f ON f.sha1 = fsf.file_sha1
       LEFT JOIN state.local_blob lb ON lb.sha1 = fsf.file_sha1
       LEFT JOIN file_sync_log sl ON sl.file_sha1 = fsf.file_sha1
       WHERE r.system_id = ? ORDER BY fsf.position`,
    )
    .all(systemId) as (Omit<CurrentMember, 'available' | 'local' | 'cloud'> & { fileSetId: string; local: number; cloud: number })[];
  for (const m of members) {
    state.fileSets.get(m.fileSetId)?.members.push({ name: m.name, sha1: m.sha1, size: m.size, position: m.position, available: !!(m.local || m.cloud), local: !!m.local, cloud: !!m.cloud });
  }
  const crcRoms = db
    .prepare(
      `SELECT dr.file_set_id AS fileSetId, dr.name, dr.size, dr.crc32, dr.md5, dr.matched_sha1 AS matchedSha1
       FROM dat_rom dr JOIN file_set fs ON fs.id = dr.file_set_id JOIN release r ON r.id = fs.release_id
       WHERE r.system_id = ? ORDER BY dr.position`,
    )
    .all(systemId) as (CurrentCrcRom & { fileSetId: string })[];
  for (const { fileSetId, ...c } of crcRoms) state.fileSets.get(fileSetId)?.crcRoms.push(c);
  state.datGames = db
    .prepare(
      `SELECT dg.source_id AS sourceId, dg.file_set_id AS fileSetId, dg.release_id AS releaseId, dg.name, dg.clone_of AS cloneOf
       FROM dat_game dg JOIN release r ON r.id = dg.release_id WHERE r.system_id = ?`,
    )
    .all(systemId) as CurrentDatGame[];
  return state;
}
