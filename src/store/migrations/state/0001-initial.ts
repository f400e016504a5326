// state.db: device-local, never synced. The device's identity lives here and only here.
import type { Migration } from '../migration.js';

export const s0001Initial: Migration = {
  version: 1,
  name: 'device identity, settings, local blobs',
  up(db) {
    db.exec(`
      CREATE TABLE device (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        singleton INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1)
      );
      CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      -- Blobs present in this device's store/ (a cache of what is on disk; verify re-checks it).
      CREATE TABLE local_blob (
        sha1 TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
    `);
  },
};
