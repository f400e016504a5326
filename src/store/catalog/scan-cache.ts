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
  // raw() rows and 64-bit integers only where needed (mtime_ns): this runs on every rescan.
  const stmt = db.prepare('SELECT path, size, mtime_ns, fingerprint, sha1, crc32, md5, system_id FROM state.scan_file WHERE path >= ? AND path < ?').raw().safeIntegers(true);
  const rows = new Map<string, ScanCacheRow>();
  for (const root of roots) {
    const under = root.endsWith(path.sep) ? root : root + path.sep;
    for (const r of stmt.iterate(...range(root)) as Iterable<[string, bigint, bigint, string, string, string, string, string | null]>) {
      const p = r[0];
      if (p !== root && !p.startsWith(under)) continue;
      rows.set(p, { path: p, size: Number(r[1]), mtime_ns: r[2], fingerprint: r[3], sha1: r[4], crc32: r[5], md5: r[6], system_id: r[7] });
    }
  }
  return rows;
}

/** Write rows on `state`, state.db's own connection (they commit with this device's local_blob rows). */
export function saveScanRows(state: Database.Database, rows: ScanCacheRow[]): void {
  const stmt = state.prepare(
    `INSERT INTO main.scan_file (path, size, mtime_ns, fingerprint, sha1, crc32, md5, system_id, scanned_at)
     VALUES (@path, @size, @mtime_ns, @fingerprint, @sha1, @crc32, @md5, @system_id, @now)
     ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, fingerprint = excluded.fingerprint, sha1 = excluded.sha1,
       crc32 = excluded.crc32, md5 = excluded.md5, system_id = excluded.system_id, scanned_at = excluded.scanned_at`,
  );
  const now = nowIso();
  for (const r of rows) stmt.run({ ...r, now });
}

/** Delete rows on `state`, state.db's own connection. */
export function deleteScanRows(state: Database.Database, paths: string[]): void {
  const stmt = state.prepare('DELETE FROM main.scan_file WHERE path = ?');
  for (const p of paths) stmt.run(p);
}
