// The stored (compressed) size of each uploaded blob, recorded in the synced file_sync_log by the
// device that uploaded it. Another device then knows the exact size of every remote object from the
// catalogue alone, as git-annex knows it from its keys: a download fetches a small object in one
// ranged GET with no listing or HEAD first, and the free-space check needs no request at all. The
// size is a hint, never the safety: the object is still verified by SHA1 and size of its content,
// and a download whose hint proves wrong (another device's upload of the same content, compressed
// differently, won the race on a store without conditional writes) asks the remote for the real
// size and tries again. NULL: not known (uploaded before this migration, or not uploaded yet).
import type { Migration } from '../migration.js';

export const m0003SyncLogStoredBytes: Migration = {
  version: 3,
  name: 'file_sync_log.stored_bytes',
  up(db) {
    db.exec(`ALTER TABLE file_sync_log ADD COLUMN stored_bytes INTEGER CHECK (stored_bytes IS NULL OR stored_bytes >= 0);`);
  },
};
