// The scan cache rows in state.db (scan_file): what each scanned path hashed to, keyed by path, size,
// mtime and fingerprint. `db` is any connection that sees the `state` schema.
import type Database from 'better-sqlite3';
import path from 'node:path';
import { nowIso } from '../ids.js';

export interface ScanCacheRow {
  path: string;
  size: number;
  mtime_ns: bigint;
  fingerprint: string;
  sha1: string;
  crc32: string;
  md5: string;
  system_id: string | null;
}

/** `WHERE path >= lo AND path < hi` selects everything at or under `root`. */
function range(root: string): [string, string] {
  return [root, root + String.fromCharCode(0xffff)];
}

/** Every cached row at or under the roots, by path. */
export function loadScanCache(db: Database.Database, roots: string[]): Map<string, ScanCacheRow> {
  const stmt = db.prepare('SELECT path, size, mtime_ns, fingerprint, sha1, crc32, md5, system_id FROM state.scan_file WHERE path >= ? AND path < ?').safeIntegers(true);
  const rows = new Map<string, ScanCacheRow>();
  for (const root of roots) {
    for (const r of stmt.all(...range(root)) as (Omit<ScanCacheRow, 'size'> & { size: bigint })[]) {
      if (r.path === root || r.path.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) rows.set(r.path, { ...r, size: Number(r.size) });
    }
  }
  return rows;
}

export function saveScanRows(db: Database.Database, rows: ScanCacheRow[]): void {
  const stmt = db.prepare(
    `INSERT INTO state.scan_file (path, size, mtime_ns, fingerprint, sha1, crc32, md5, system_id, scanned_at)
     VALUES (@path, @size, @mtime_ns, @fingerprint, @sha1, @crc32, @md5, @system_id, @now)
     ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, fingerprint = excluded.fingerprint, sha1 = excluded.sha1,
       crc32 = excluded.crc32, md5 = excluded.md5, system_id = excluded.system_id, scanned_at = excluded.scanned_at`,
  );
  const now = nowIso();
  for (const r of rows) stmt.run({ ...r, now });
}

export function deleteScanRows(db: Database.Database, paths: string[]): void {
  const stmt = db.prepare('DELETE FROM state.scan_file WHERE path = ?');
  for (const p of paths) stmt.run(p);
}
