// state.db v2: the device-local download queue. A row exists from the moment a download is asked for
// until its blob is in the store (then local_blob is the truth and the row goes), so an interrupted
// download-all resumes where it stopped. Never synced: what one device wants is its own business.
import type { Migration } from '../migration.js';

export const s0002DownloadQueue: Migration = {
  version: 2,
  name: 'download queue',
  up(db) {
    db.exec(`
      CREATE TABLE download_queue (
        sha1 TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('Pending', 'InProgress', 'Failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX download_queue_state ON download_queue(state);
    `);
  },
};
