// This device's sync bookkeeping in state.db (never uploaded): its base snapshot with the content
// fingerprint and stat stamp of collection.db, a pending-replacement record, and database_sync_log.
import type Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { nowIso, uuidv7 } from '../../store/ids.js';
import type { FileStamp } from './fingerprint.js';

export interface SyncBase {
  snapshotId: string | null;
  dbSha1: string | null;
  fingerprint: string;
  stamp?: FileStamp;
  confirmedAtMs?: number;
}

interface BaseRow {
  snapshot_id: string | null;
  db_sha1: string | null;
  fingerprint: string;
  file_size: number | null;
  file_mtime_ns: string | null;
  file_ctime_ns: string | null;
  file_ino: string | null;
  confirmed_at_ms: number | null;
}

export function getBase(state: Database.Database): SyncBase | undefined {
  const r = state.prepare('SELECT * FROM sync_base').get() as BaseRow | undefined;
  if (!r) return undefined;
  const stamp =
    r.file_size !== null && r.file_mtime_ns && r.file_ctime_ns && r.file_ino
      ? { size: r.file_size, mtimeNs: r.file_mtime_ns, ctimeNs: r.file_ctime_ns, ino: r.file_ino }
      : undefined;
  return { snapshotId: r.snapshot_id, dbSha1: r.db_sha1, fingerprint: r.fingerprint, stamp, confirmedAtMs: r.confirmed_at_ms ?? undefined };
}

export function setBase(state: Database.Database, base: SyncBase): void {
  setMergedParents(state, undefined); // a moved base supersedes any merge waiting to be pushed
  state
    .prepare(
      `INSERT INTO sync_base (singleton, snapshot_id, db_sha1, fingerprint, file_size, file_mtime_ns, file_ctime_ns, file_ino, confirmed_at_ms, updated_at)
       VALUES (1, @snapshotId, @dbSha1, @fingerprint, @size, @mtimeNs, @ctimeNs, @ino, @confirmedAtMs, @now)
       ON CONFLICT(singleton) DO UPDATE SET snapshot_id = excluded.snapshot_id, db_sha1 = excluded.db_sha1, fingerprint = excluded.fingerprint,
         file_size = excluded.file_size, file_mtime_ns = excluded.file_mtime_ns, file_ctime_ns = excluded.file_ctime_ns,
         file_ino = excluded.file_ino, confirmed_at_ms = excluded.confirmed_at_ms, updated_at = excluded.updated_at`,
    )
    .run({
      snapshotId: base.snapshotId,
      dbSha1: base.dbSha1,
      fingerprint: base.fingerprint,
      size: base.stamp?.size ?? null,
      mtimeNs: base.stamp?.mtimeNs ?? null,
      ctimeNs: base.stamp?.ctimeNs ?? null,
      ino: base.stamp?.ino ?? null,
      confirmedAtMs: base.stamp ? (base.confirmedAtMs ?? Date.now()) : null,
      now: nowIso(),
    });
}

/** setting (state.db) holding the parents of a merge applied locally and not pushed yet. */
export const MERGED_PARENTS_SETTING = 'sync.merged-parents';

/**
 * A merge's parents are recorded just before the merged file replaces collection.db (`confirmed:
 * false`, with the merged file's fingerprint) and confirmed right after the rename; after a crash in
 * between, recoverPendingReplace() confirms or drops the record by fingerprinting collection.db. Only a
 * confirmed record counts: a push must never name a head whose changes are not in the database.
 */
export interface MergedParentsRecord {
  parents: string[];
  fingerprint: string;
  confirmed: boolean;
}

export function getMergedParentsRecord(state: Database.Database): MergedParentsRecord | undefined {
  const row = state.prepare('SELECT value FROM setting WHERE key = ?').get(MERGED_PARENTS_SETTING) as { value: string } | undefined;
  if (!row) return undefined;
  try {
    const v = JSON.parse(row.value) as MergedParentsRecord;
    return Array.isArray(v.parents) && v.parents.every((x) => typeof x === 'string') && typeof v.fingerprint === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The parents the next push must name after a merge (the merged heads, then the base); see sync-plan. */
export function getMergedParents(state: Database.Database): string[] | undefined {
  const r = getMergedParentsRecord(state);
  return r?.confirmed ? r.parents : undefined;
}

export function setMergedParents(state: Database.Database, record: MergedParentsRecord | undefined): void {
  if (!record) state.prepare('DELETE FROM setting WHERE key = ?').run(MERGED_PARENTS_SETTING);
  else
    state
      .prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(MERGED_PARENTS_SETTING, JSON.stringify(record));
}

/** Name another snapshot with the same content as the base (a join of heads). */
export function setBaseSnapshotId(state: Database.Database, id: string): void {
  state.prepare('UPDATE sync_base SET snapshot_id = ? WHERE singleton = 1').run(id);
}

/** Record that collection.db, as stamped now, still has the base's content. */
export function confirmStamp(state: Database.Database, stamp: FileStamp | undefined, confirmedAtMs = Date.now()): void {
  if (!stamp) return;
  state
    .prepare('UPDATE sync_base SET file_size = ?, file_mtime_ns = ?, file_ctime_ns = ?, file_ino = ?, confirmed_at_ms = ?')
    .run(stamp.size, stamp.mtimeNs, stamp.ctimeNs, stamp.ino, confirmedAtMs);
}

export interface PendingReplace {
  snapshotId: string | null;
  dbSha1: string | null;
  fingerprint: string;
  /** Restores keep the base: the restored content shows up as local changes to push. */
  keepBase: boolean;
}

export function setPending(state: Database.Database, p: PendingReplace | undefined): void {
  state.prepare('DELETE FROM sync_pending_replace').run();
  if (p) {
    state
      .prepare('INSERT INTO sync_pending_replace (singleton, snapshot_id, db_sha1, fingerprint, keep_base, created_at) VALUES (1, ?, ?, ?, ?, ?)')
      .run(p.snapshotId, p.dbSha1, p.fingerprint, p.keepBase ? 1 : 0, nowIso());
  }
}

export function getPending(state: Database.Database): PendingReplace | undefined {
  const r = state.prepare('SELECT * FROM sync_pending_replace').get() as
    | { snapshot_id: string | null; db_sha1: string | null; fingerprint: string; keep_base: number }
    | undefined;
  return r ? { snapshotId: r.snapshot_id, dbSha1: r.db_sha1, fingerprint: r.fingerprint, keepBase: r.keep_base === 1 } : undefined;
}

export type SyncDirection = 'push' | 'pull' | 'restore';
export type SyncOutcome = 'ok' | 'up-to-date' | 'refused' | 'failed';

export interface SyncLogEntry {
  id: string;
  at: string;
  direction: SyncDirection;
  snapshotId: string | null;
  baseBefore: string | null;
  baseAfter: string | null;
  heads: string[];
  conflict: boolean;
  resolution: string | null;
  outcome: SyncOutcome;
  message: string;
}

export function logSync(state: Database.Database, e: Omit<SyncLogEntry, 'id' | 'at'>): void {
  state
    .prepare(
      `INSERT INTO database_sync_log (id, at, direction, snapshot_id, base_before, base_after, heads, conflict, resolution, outcome, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(uuidv7(), nowIso(), e.direction, e.snapshotId, e.baseBefore, e.baseAfter, JSON.stringify(e.heads), e.conflict ? 1 : 0, e.resolution, e.outcome, e.message);
}

export function readSyncLog(state: Database.Database, limit = 100): SyncLogEntry[] {
  // `sync log --limit abc` arrives as NaN (and SQLite would read -1 as "everything"): a usage error.
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new TroveError('USAGE', `--limit must be a whole number of entries, 1 or more (got ${Number.isNaN(limit) ? 'something that is not a number' : String(limit)})`);
  }
  const rows = state.prepare('SELECT * FROM database_sync_log ORDER BY id DESC LIMIT ?').all(limit) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as string,
    at: r.at as string,
    direction: r.direction as SyncDirection,
    snapshotId: (r.snapshot_id as string | null) ?? null,
    baseBefore: (r.base_before as string | null) ?? null,
    baseAfter: (r.base_after as string | null) ?? null,
    heads: JSON.parse(r.heads as string) as string[],
    conflict: r.conflict === 1,
    resolution: (r.resolution as string | null) ?? null,
    outcome: r.outcome as SyncOutcome,
    message: r.message as string,
  }));
}
