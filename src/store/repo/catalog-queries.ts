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
  return [...eachSystem(db)];
}

export function eachSystem(db: Database.Database): IterableIterator<SystemSummary> {
  return db
    .prepare(`SELECT s.id, s.name, (SELECT count(*) FROM release r WHERE r.system_id = s.id) AS releases FROM system s ORDER BY s.name`)
    .iterate() as IterableIterator<SystemSummary>;
}

export interface TitleSummary {
  id: string;
  name: string;
  releases: number;
}

export function listTitles(db: Database.Database, filter: { systemId?: string } = {}): TitleSummary[] {
  return [...eachTitle(db, filter)];
}

export function eachTitle(db: Database.Database, filter: { systemId?: string } = {}): IterableIterator<TitleSummary> {
  return db
    .prepare(
      `SELECT t.id, t.name, count(r.id) AS releases FROM software_title t
       LEFT JOIN release r ON r.software_title_id = t.id
       WHERE (@systemId IS NULL OR r.system_id = @systemId)
       GROUP BY t.id ORDER BY t.name`,
    )
    .iterate({ systemId: filter.systemId ?? null }) as IterableIterator<TitleSummary>;
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
  return [...eachRelease(db, filter)];
}

/** listReleases one row at a time, for outputs that must not hold a 100k-release catalogue in memory. */
export function* eachRelease(db: Database.Database, filter: ReleaseFilter = {}): Generator<ReleaseSummary> {
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
    .iterate({
      systemId: filter.systemId ?? null,
      releaseId: filter.releaseId ?? null,
      search: filter.search ?? null,
      limit: filter.limit ?? -1,
      offset: filter.offset ?? 0,
    }) as IterableIterator<Omit<ReleaseSummary, 'availability'>>;
  for (const r of rows) yield { ...r, availability: availabilityOfGroup(r) };
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
  return [...eachFileSet(db, filter)];
}

export function* eachFileSet(db: Database.Database, filter: { systemId?: string; releaseId?: string; fileSetId?: string } = {}): Generator<FileSetSummary> {
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
    .iterate({ systemId: filter.systemId ?? null, releaseId: filter.releaseId ?? null, fileSetId: filter.fileSetId ?? null }) as IterableIterator<
    Omit<FileSetSummary, 'availability'>
  >;
  for (const r of rows) yield { ...r, availability: availabilityOfGroup(r) };
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
  return [...eachFile(db, filter)];
}

export function* eachFile(db: Database.Database, filter: { systemId?: string; releaseId?: string; fileSetId?: string } = {}): Generator<FileEntry> {
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
    .iterate({ systemId: filter.systemId ?? null, releaseId: filter.releaseId ?? null, fileSetId: filter.fileSetId ?? null }) as IterableIterator<
    Omit<FileEntry, 'availability'> & { is_local: number; is_cloud: number }
  >;
  for (const { is_local, is_cloud, ...r } of rows) yield { ...r, availability: availabilityOf(!!is_local, !!is_cloud) };
}

// ---------------------------------------------------------------------------------------------------
// Paged release lists for the TUI: a system's releases, filtered (name search, availability) and
// sorted in SQL, fetched one window at a time so that 100k releases never sit in memory. The page's
// ids are chosen first (cheap: the (system_id, name) index serves name order), then only those rows
// get their counts and availability.

/** Which releases a list shows, by the availability of their files (see availabilityOfGroup). */
export type AvailabilityFilter = 'all' | 'local' | 'cloud' | 'missing';
/** name: A→Z by release name; size: largest total file size first, then name. */
export type ReleaseSort = 'name' | 'size';

export interface ReleasePageQuery {
  systemId: string;
  /** Case-insensitive substring of the release name (LIKE; `%` and `_` are taken literally). */
  search?: string;
  availability?: AvailabilityFilter;
  sort?: ReleaseSort;
}

const RELEASE_FILES = `SELECT 1 FROM file_set fs JOIN file_set_file fsf ON fsf.file_set_id = fs.id WHERE fs.release_id = r.id`;
const NOT_LOCAL = `NOT EXISTS (SELECT 1 FROM state.local_blob lb WHERE lb.sha1 = fsf.file_sha1)`;
const NOT_CLOUD = `NOT EXISTS (SELECT 1 FROM file_sync_log sl WHERE sl.file_sha1 = fsf.file_sha1 AND sl.state = 'UploadCompleted')`;
// Each filter mirrors availabilityOfGroup: local = LocalOnly or Synchronized, cloud = CloudOnly,
// missing = NotAvailable (no files, or a file that is neither here nor on the remote).
const AVAILABILITY_WHERE: Record<AvailabilityFilter, string> = {
  all: '1',
  local: `EXISTS (${RELEASE_FILES}) AND NOT EXISTS (${RELEASE_FILES} AND ${NOT_LOCAL})`,
  cloud: `EXISTS (${RELEASE_FILES} AND ${NOT_LOCAL}) AND NOT EXISTS (${RELEASE_FILES} AND ${NOT_LOCAL} AND ${NOT_CLOUD})`,
  missing: `(NOT EXISTS (${RELEASE_FILES}) OR EXISTS (${RELEASE_FILES} AND ${NOT_LOCAL} AND ${NOT_CLOUD}))`,
};
const RELEASE_BYTES = `(SELECT coalesce(sum(f.size), 0) FROM file_set fs JOIN file_set_file fsf ON fsf.file_set_id = fs.id
                        JOIN file f ON f.sha1 = fsf.file_sha1 WHERE fs.release_id = r.id)`;

function releasePageWhere(q: ReleasePageQuery): string {
  return `r.system_id = @systemId
          AND (@search IS NULL OR r.name LIKE '%' || @search || '%' ESCAPE '\\')
          AND ${AVAILABILITY_WHERE[q.availability ?? 'all']}`;
}

function releasePageParams(q: ReleasePageQuery): { systemId: string; search: string | null } {
  const search = q.search?.trim() ? q.search.trim().replace(/[\\%_]/g, (c) => '\\' + c) : null;
  return { systemId: q.systemId, search };
}

/** How many releases the query matches (the length of the scrollable list). */
export function countReleasePage(db: Database.Database, q: ReleasePageQuery): number {
  return (db.prepare(`SELECT count(*) AS n FROM release r WHERE ${releasePageWhere(q)}`).get(releasePageParams(q)) as { n: number }).n;
}

function releasePageOrder(q: ReleasePageQuery): string {
  return (q.sort ?? 'name') === 'size' ? `${RELEASE_BYTES} DESC, r.name` : 'r.name';
}

/** Rows `offset … offset+limit-1` of the query, in its sort order, with counts and availability. */
export function listReleasePage(db: Database.Database, q: ReleasePageQuery, offset: number, limit: number): ReleaseSummary[] {
  const ids = (
    db
      .prepare(`SELECT r.id FROM release r WHERE ${releasePageWhere(q)} ORDER BY ${releasePageOrder(q)} LIMIT @limit OFFSET @offset`)
      .all({ ...releasePageParams(q), limit: Math.max(0, limit), offset: Math.max(0, offset) }) as { id: string }[]
  ).map((r) => r.id);
  return listReleasesByIds(db, ids);
}

/**
 * Every id the query matches, in order. For the orderings and filters that need every release's
 * file counts (size sort, availability filter: about a second at 100k releases), a caller computes
 * this once per query and then pages over it with listReleasesByIds, instead of paying that pass on
 * every page. Only ids cross into JavaScript (about 4 MB at 100k), never the rows.
 */
export function listReleaseIds(db: Database.Database, q: ReleasePageQuery): string[] {
  return (
    db.prepare(`SELECT r.id FROM release r WHERE ${releasePageWhere(q)} ORDER BY ${releasePageOrder(q)}`).pluck().all(releasePageParams(q)) as string[]
  );
}

/** These releases with counts and availability, in the order given; ids that no longer exist are skipped. */
export function listReleasesByIds(db: Database.Database, ids: readonly string[]): ReleaseSummary[] {
  if (!ids.length) return [];
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
       WHERE r.id IN (SELECT value FROM json_each(@ids))
       GROUP BY r.id`,
    )
    .all({ ids: JSON.stringify(ids) }) as Omit<ReleaseSummary, 'availability'>[];
  const byId = new Map(rows.map((r) => [r.id, { ...r, availability: availabilityOfGroup(r) }]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export interface CatalogCounts {
  systems: number;
  releases: number;
  fileSets: number;
  files: number;
}

/** Row counts of the catalogue (what a restore would change, in numbers a person reads). */
export function countCatalog(db: Database.Database): CatalogCounts {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM system) AS systems, (SELECT count(*) FROM release) AS releases,
              (SELECT count(*) FROM file_set) AS fileSets, (SELECT count(*) FROM file) AS files`,
    )
    .get() as CatalogCounts;
}

/**
 * A label for people per blob: "System › Release › archive name" of one place the file is used (the
 * first by name; "+N more" when it is in several). Blobs no file set uses are missing from the map.
 */
export function fileLabels(db: Database.Database, sha1s: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!sha1s.length) return out;
  const rows = db
    .prepare(
      `SELECT fsf.file_sha1 AS sha1, s.name || ' › ' || r.name || ' › ' || fsf.name AS label, count(*) OVER (PARTITION BY fsf.file_sha1) AS uses
       FROM file_set_file fsf
       JOIN file_set fs ON fs.id = fsf.file_set_id
       JOIN release r ON r.id = fs.release_id
       JOIN system s ON s.id = r.system_id
       WHERE fsf.file_sha1 IN (SELECT value FROM json_each(@sha1s))
       ORDER BY fsf.file_sha1, label`,
    )
    .all({ sha1s: JSON.stringify(sha1s) }) as { sha1: string; label: string; uses: number }[];
  for (const r of rows) if (!out.has(r.sha1)) out.set(r.sha1, r.uses > 1 ? `${r.label} (+${r.uses - 1} more)` : r.label);
  return out;
}
