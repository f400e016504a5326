// state.db v4: a merge waiting for its conflicts to be resolved (one at most per library). The inputs
// (base and remote copies) live in the folder `dir` under the library's tmp/; local is read at apply time.
import type { Migration } from '../migration.js';

export const s0004PendingMerge: Migration = {
  version: 4,
  name: 'pending merge and its conflicts',
  up(db) {
    db.exec(`
      CREATE TABLE pending_merge (
        id TEXT PRIMARY KEY,
        singleton INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
        dir TEXT NOT NULL,
        base_label TEXT NOT NULL,
        remote_label TEXT NOT NULL,
        remote_device TEXT NOT NULL,
        -- 'pending': waiting for resolutions; 'applying': an apply started (and may have been interrupted)
        status TEXT NOT NULL CHECK (status IN ('pending', 'applying')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE pending_merge_conflict (
        merge_id TEXT NOT NULL REFERENCES pending_merge(id) ON DELETE CASCADE,
        conflict_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        field TEXT,
        label TEXT NOT NULL,
        -- the conflict as planned (values on each side, affected rows), JSON
        detail TEXT NOT NULL,
        default_side TEXT NOT NULL CHECK (default_side IN ('local', 'remote')),
        chosen_side TEXT CHECK (chosen_side IN ('local', 'remote')),
        PRIMARY KEY (merge_id, conflict_id)
      );
    `);
  },
};
