// The catalogue: what gets synced between devices. No secrets, no device-local state.
import type { Migration } from '../migration.js';

export const FILE_SET_TYPES = ['rom', 'disc', 'manual', 'box_art', 'screenshot', 'other'] as const;

export const m0001Initial: Migration = {
  version: 1,
  name: 'initial catalogue',
  up(db) {
    const types = FILE_SET_TYPES.map((t) => `'${t}'`).join(', ');
    db.exec(`
      CREATE TABLE system (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE software_title (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE release (
        id TEXT PRIMARY KEY,
        system_id TEXT NOT NULL REFERENCES system(id),
        software_title_id TEXT REFERENCES software_title(id),
        name TEXT NOT NULL,
        region TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (system_id, name)
      );
      CREATE INDEX release_software_title ON release(software_title_id);
      CREATE TABLE file_set (
        id TEXT PRIMARY KEY,
        release_id TEXT NOT NULL REFERENCES release(id) ON DELETE CASCADE,
        type TEXT NOT NULL CHECK (type IN (${types})),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (release_id, type, name)
      );
      CREATE TABLE file (
        sha1 TEXT PRIMARY KEY CHECK (length(sha1) = 40 AND sha1 NOT GLOB '*[^0-9a-f]*'),
        size INTEGER NOT NULL CHECK (size >= 0),
        crc32 TEXT,
        md5 TEXT,
        type TEXT NOT NULL CHECK (type IN (${types})),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE file_set_file (
        id TEXT PRIMARY KEY,
        file_set_id TEXT NOT NULL REFERENCES file_set(id) ON DELETE CASCADE,
        file_sha1 TEXT NOT NULL REFERENCES file(sha1),
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (file_set_id, name)
      );
      CREATE INDEX file_set_file_sha1 ON file_set_file(file_sha1);
      CREATE TABLE file_sync_log (
        file_sha1 TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN (
          'UploadPending', 'UploadInProgress', 'UploadCompleted', 'UploadFailed',
          'DeletionPending', 'DeletionInProgress', 'DeletionCompleted', 'DeletionFailed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX file_sync_log_state ON file_sync_log(state);
    `);
  },
};
