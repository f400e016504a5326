// The device-local download queue (state.db, migration 2): what this device has asked to fetch and
// not yet holds. A row lives from the request until its blob is in the store; an interrupted run
// leaves rows behind and the next run takes them up (resumable across restarts). `db` is state.db.
import type Database from 'better-sqlite3';
import { nowIso } from '../../store/ids.js';
import { stmt } from '../../store/repo/statements.js';

export type DownloadState = 'Pending' | 'InProgress' | 'Failed';

export interface DownloadItem {
  sha1: string;
  type: string;
  /** The file's (decompressed) size, checked after download. */
  size: number;
  state: DownloadState;
  attempts: number;
  lastError: string | null;
}

/** Queue `items`; returns the sha1s this call added (not those already queued), so a refused run can take them back. */
export function enqueueDownloads(db: Database.Database, items: { sha1: string; type: string; size: number }[]): string[] {
  const now = nowIso();
  const had = db.prepare('SELECT 1 FROM download_queue WHERE sha1 = ?').pluck();
  const ins = db.prepare(
    `INSERT INTO download_queue (sha1, type, size, state, attempts, last_error, created_at, updated_at)
     VALUES (?, ?, ?, 'Pending', 0, NULL, ?, ?)
     ON CONFLICT(sha1) DO UPDATE SET state = 'Pending', updated_at = excluded.updated_at WHERE download_queue.state = 'Failed'`,
  );
  const added: string[] = [];
  db.transaction(() =>
    items.forEach((i) => {
      const existed = had.get(i.sha1) !== undefined;
      ins.run(i.sha1, i.type, i.size, now, now);
      if (!existed) added.push(i.sha1);
    }),
  )();
  return added;
}

/** Take back rows a refused request added (enqueueDownloads' result): the queue is as it was. */
export function forgetDownloads(db: Database.Database, sha1s: readonly string[]): void {
  const del = db.prepare(`DELETE FROM download_queue WHERE sha1 = ? AND state = 'Pending'`);
  db.transaction(() => sha1s.forEach((s) => del.run(s)))();
}

/**
 * `trove download --cancel`: forget queued downloads, whatever their state — all of them, or those
 * whose sha1 is in `only` (a release's, file set's or filter's files). Nothing else changes: the
 * store, local_blob and collection.db are not touched. The caller holds the download lock
 * (runner-lock.ts DOWNLOAD_LOCK), so no run is working on these rows. Returns how many were removed.
 */
export function cancelDownloads(db: Database.Database, only?: Iterable<string>): number {
  if (only === undefined) return db.prepare('DELETE FROM download_queue').run().changes;
  const del = db.prepare('DELETE FROM download_queue WHERE sha1 = ?');
  let n = 0;
  db.transaction(() => {
    for (const s of new Set(only)) n += del.run(s).changes;
  })();
  return n;
}

/** On start: downloads a crashed run left in progress go back to pending; failures are retried. */
export function resetDownloads(db: Database.Database): void {
  db.prepare(`UPDATE download_queue SET state = 'Pending', updated_at = ? WHERE state IN ('InProgress', 'Failed')`).run(nowIso());
}

export function queuedDownloads(db: Database.Database, state?: DownloadState): DownloadItem[] {
  return db
    .prepare(
      `SELECT sha1, type, size, state, attempts, last_error AS lastError FROM download_queue
       WHERE (@state IS NULL OR state = @state) ORDER BY created_at, sha1`,
    )
    .all({ state: state ?? null }) as DownloadItem[];
}

export function setDownloadState(db: Database.Database, sha1: string, state: DownloadState, error?: string): void {
  const bump = state === 'InProgress' ? 1 : 0;
  stmt(db, 'UPDATE download_queue SET state = ?, attempts = attempts + ?, last_error = coalesce(?, last_error), updated_at = ? WHERE sha1 = ?').run(
    state,
    bump,
    error ?? null,
    nowIso(),
    sha1,
  );
}

export function removeDownload(db: Database.Database, sha1: string): void {
  stmt(db, 'DELETE FROM download_queue WHERE sha1 = ?').run(sha1);
}

export function downloadStateCounts(db: Database.Database): Record<DownloadState, number> {
  const counts: Record<DownloadState, number> = { Pending: 0, InProgress: 0, Failed: 0 };
  for (const r of db.prepare('SELECT state, count(*) AS n FROM download_queue GROUP BY state').all() as { state: DownloadState; n: number }[]) counts[r.state] = r.n;
  return counts;
}
