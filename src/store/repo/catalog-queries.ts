// Read side of the catalogue: lists with counts and availability, as plain objects for the CLI and TUI.
// Availability joins state.local_blob (this device) and file_sync_log (the remote), so `db` must be a
// Library's collection connection (state.db attached as `state`).
import type Database from 'better-sqlite3';
import { availabilityOf, availabilityOfGroup, type Availability } from '../availability.js';

const FILE_FLAGS = `
  (lb.sha1 IS NOT NULL) AS is_local,
  (coalesce(sl.state, '') = 'UploadCompleted') AS is_cloud`;
const AVAIL_JOINS = `
  LEFT JOIN state.local_blob lb ON lb.sha1 = fsf.file_sha1
  LEFT JOIN file_sync_log sl ON sl.file_sha1 = fsf.file_sha1`;
const GROUP_COUNTS = `
  count(fsf.id) AS files,
  coalesce(sum(f.size), 0) AS bytes,
  coalesce(sum(lb.sha1 IS NOT NULL), 0) AS local,
  coalesce(sum(coalesce(sl.state, '') = 'UploadCompleted'), 0) AS cloud,
  coalesce(sum(lb.sha1 IS NOT NULL AND coalesce(sl.state, '') = 'UploadCompleted'), 0) AS synchronized,
  coalesce(sum(fsf.id IS NOT NULL AND lb.sha1 IS NULL AND coalesce(sl.state, '') <> 'UploadCompleted'), 0) AS missing`;

interface GroupCounts {
  files: number;
  bytes: number;
  local: number;
  cloud: number;
  synchronized: number;
  missing: number;
}

export interface SystemSummary {
  id: string;
  name: string;
  releases: number;
}

export function listSystems(db: Database.Database): SystemSummary[] {
  return db
    .prepare(`SELECT s.id, s.name, (SELECT count(*) FROM release r WHERE r.system_id = s.id) AS releases FROM system s ORDER BY s.name`)
    .all() as SystemSummary[];
}

export interface TitleSummary {
  id: string;
  name: string;
  releases: number;
}

export function listTitles(db: Database.Database, filter: { systemId?: string } = {}): TitleSummary[] {
  return db
    .prepare(
      `SELECT t.id, t.name, count(r.id) AS releases FROM software_title t
       LEFT JOIN release r ON r.software_title_id = t.id
       WHERE (@systemId IS NULL OR r.system_id = @systemId)
       GROUP BY t.id ORDER BY t.name`,
    )
    .all({ systemId: filter.systemId ?? null }) as TitleSummary[];
}

export interface ReleaseSummary extends GroupCounts {
  id: string;
  name: string;
  region: string | null;
  system_id: string;
  system: string;
  title: string | null;
  file_sets: number;
  availability: Availability;
}

export interface ReleaseFilter {
  systemId?: string;
  releaseId?: string;
  search?: string;
  limit?: number;
  offset?: number;
}

export function listReleases(db: Database.Database, filter: ReleaseFilter = {}): ReleaseSummary[] {
  const rows = db
    .prepare(
      `SELECT r.id, r.name, r.region, r.system_id, s.name AS system, t.name AS title,
              count(DISTINCT fs.id) AS file_sets, ${GROUP_COUNTS}
       FROM release r
       JOIN system s ON s.id = r.system_id
       LEFT JOIN software_title t ON t.id = r.software_title_id
       LEFT JOIN file_set fs ON fs.release_id = r.id
       LEFT JOIN file_set_file fsf ON fsf.file_set_id = fs.id
       LEFT JOIN file f ON f.sha1 = fsf.file_sha1
       ${AVAIL_JOINS}
       WHERE (@systemId IS NULL OR r.system_id = @systemId)
         AND (@releaseId IS NULL OR r.id = @releaseId)
         AND (@search IS NULL OR r.name LIKE '%' || @search || '%')
       GROUP BY r.id
       ORDER BY s.name, r.name
       LIMIT @limit OFFSET @offset`,
    )
    .all({
      systemId: filter.systemId ?? null,
      releaseId: filter.releaseId ?? null,
      search: filter.search ?? null,
      limit: filter.limit ?? -1,
      offset: filter.offset ?? 0,
    }) as Omit<ReleaseSummary, 'availability'>[];
  return rows.map((r) => ({ ...r, availability: availabilityOfGroup(r) }));
}

export interface FileSetSummary extends GroupCounts {
  id: string;
  name: string;
  type: string;
  release_id: string;
  release: string;
  system: string;
  availability: Availability;
}

export function listFileSets(db: Database.Database, filter: { systemId?: string; releaseId?: string; fileSetId?: string } = {}): FileSetSummary[] {
  const rows = db
    .prepare(
      `SELECT fs.id, fs.name, fs.type, fs.release_id, r.name AS release, s.name AS system, ${GROUP_COUNTS}
       FROM file_set fs
       JOIN release r ON r.id = fs.release_id
       JOIN system s ON s.id = r.system_id
       LEFT JOIN file_set_file fsf ON fsf.file_set_id = fs.id
       LEFT JOIN file f ON f.sha1 = fsf.file_sha1
       ${AVAIL_JOINS}
       WHERE (@systemId IS NULL OR r.system_id = @systemId)
         AND (@releaseId IS NULL OR fs.release_id = @releaseId)
         AND (@fileSetId IS NULL OR fs.id = @fileSetId)
       GROUP BY fs.id
       ORDER BY s.name, r.name, fs.type, fs.name`,
    )
    .all({ systemId: filter.systemId ?? null, releaseId: filter.releaseId ?? null, fileSetId: filter.fileSetId ?? null }) as Omit<
    FileSetSummary,
    'availability'
  >[];
  return rows.map((r) => ({ ...r, availability: availabilityOfGroup(r) }));
}

export interface FileEntry {
  /** The file's identity: its SHA1. */
  id: string;
  sha1: string;
  /** Archive name inside its file set. */
  name: string;
  size: number;
  crc32: string | null;
  md5: string | null;
  type: string;
  position: number;
  file_set_id: string;
  file_set: string;
  release_id: string;
  release: string;
  system: string;
  availability: Availability;
}

export function listFiles(db: Database.Database, filter: { systemId?: string; releaseId?: string; fileSetId?: string } = {}): FileEntry[] {
  const rows = db
    .prepare(
      `SELECT f.sha1 AS id, f.sha1, fsf.name, f.size, f.crc32, f.md5, f.type, fsf.position,
              fs.id AS file_set_id, fs.name AS file_set, r.id AS release_id, r.name AS release, s.name AS system, ${FILE_FLAGS}
       FROM file_set_file fsf
       JOIN file f ON f.sha1 = fsf.file_sha1
       JOIN file_set fs ON fs.id = fsf.file_set_id
       JOIN release r ON r.id = fs.release_id
       JOIN system s ON s.id = r.system_id
       ${AVAIL_JOINS}
       WHERE (@systemId IS NULL OR r.system_id = @systemId)
         AND (@releaseId IS NULL OR fs.release_id = @releaseId)
         AND (@fileSetId IS NULL OR fs.id = @fileSetId)
       ORDER BY s.name, r.name, fs.type, fs.name, fsf.position`,
    )
    .all({ systemId: filter.systemId ?? null, releaseId: filter.releaseId ?? null, fileSetId: filter.fileSetId ?? null }) as (Omit<
    FileEntry,
    'availability'
  > & { is_local: number; is_cloud: number })[];
  return rows.map(({ is_local, is_cloud, ...r }) => ({ ...r, availability: availabilityOf(!!is_local, !!is_cloud) }));
}
