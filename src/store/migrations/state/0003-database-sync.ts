// state.db v3: what this device knows about database sync. Device-local, never uploaded.
import type { Migration } from '../migration.js';

export const s0003DatabaseSync: Migration = {
  version: 3,
  name: 'database sync: base snapshot, pending replacement, sync log, backups index, manifest cache',
  up(db) {
    db.exec(`
      -- The snapshot this device last pulled or pushed, and how to tell whether collection.db changed
      -- since: fingerprint = sha1 of the file with SQLite's volatile header fields zeroed; file_* = the
      -- stat of collection.db when that fingerprint was last confirmed (a fast path, git-index style).
      CREATE TABLE sync_base (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        snapshot_id TEXT,
        db_sha1 TEXT,
        fingerprint TEXT NOT NULL,
        file_size INTEGER,
        file_mtime_ns TEXT,
        file_ctime_ns TEXT,
        file_ino TEXT,
        confirmed_at_ms INTEGER,
        updated_at TEXT NOT NULL
      );
      -- Written just before collection.db is replaced, cleared just after: recovery after a crash
      -- decides from the file on disk whether the replacement happened.
      CREATE TABLE sync_pending_replace (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        snapshot_id TEXT,
        db_sha1 TEXT,
        fingerprint TEXT NOT NULL,
        keep_base INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE database_sync_log (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('push', 'pull', 'restore')),
        snapshot_id TEXT,
        base_before TEXT,
        base_after TEXT,
        heads TEXT NOT NULL DEFAULT '[]',
        conflict INTEGER NOT NULL DEFAULT 0,
        resolution TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'up-to-date', 'refused', 'failed')),
        message TEXT NOT NULL
      );
      CREATE INDEX database_sync_log_at ON database_sync_log(at);
      CREATE TABLE backup (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        file TEXT NOT NULL,
        db_size INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        base_snapshot_id TEXT
      );
      -- Manifests are immutable, so a copy fetched once stays right; rows of pruned ids are dropped.
      CREATE TABLE snapshot_manifest_cache (
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        cached_at TEXT NOT NULL
      );
    `);
  },
};
