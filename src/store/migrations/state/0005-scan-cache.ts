// The scan cache: what `trove scan` learned about each file it hashed, so an unchanged file (same path,
// size, mtime and xxhash fingerprint of its head and tail) is not read and hashed again.
import type { Migration } from '../migration.js';

export const s0005ScanCache: Migration = {
  version: 5,
  name: 'scan cache',
  up(db) {
    db.exec(`
      CREATE TABLE scan_file (
        path TEXT PRIMARY KEY,          -- absolute path
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,      -- xxh64 of the first and last 64 KiB (the whole file when smaller)
        sha1 TEXT NOT NULL,
        crc32 TEXT NOT NULL,
        md5 TEXT NOT NULL,
        system_id TEXT,                 -- the --system of the scan that saw it (NULL: every system)
        scanned_at TEXT NOT NULL
      ) WITHOUT ROWID; -- rows live in the path B-tree: a rescan reads a folder's rows as one range
      CREATE INDEX scan_file_sha1 ON scan_file(sha1);
    `);
  },
};
