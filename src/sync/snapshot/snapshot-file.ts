// A snapshot's database as a temporary local file, for reading (diff sides, merge inputs): schema
// version checked from the manifest before any download, downloaded and verified (every chunk and the
// whole file: SHA1 and size) into the library's tmp/, optionally verified as a database too (schema,
// integrity_check, foreign_key_check, row counts). `cleanup()` removes it; a crashed process's leftovers
// are removed by removeStaleTemps (their names carry the pid).
import Database from 'better-sqlite3';
import { migrate } from '../../store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../store/migrations/collection/index.js';
import { tempName } from '../../store/atomic-fs.js';
import type { Remote } from '../remote/remote.js';
import { removeDbTemp } from './install.js';
import { manifestKey, type SnapshotManifest } from './manifest.js';
import { downloadVerified } from './remote-content.js';
import { checkSchemaVersion, verifyDatabaseFile } from './verify-snapshot.js';

export interface TempDatabase {
  path: string;
  label: string;
  cleanup(): Promise<void>;
}

export function snapshotLabel(remote: Remote, m: SnapshotManifest): string {
  return `snapshot ${m.id} (${manifestKey(m.id)} on ${remote.description})`;
}

export async function downloadSnapshotDb(remote: Remote, m: SnapshotManifest, tmpDir: string, opts: { verify?: boolean } = {}): Promise<TempDatabase> {
  const label = snapshotLabel(remote, m);
  checkSchemaVersion(m.schema_version, label);
  const file = await downloadVerified(remote, m.database, tmpDir, label);
  try {
    if (opts.verify) await verifyDatabaseFile(file, label, { schemaVersion: m.schema_version, rowCounts: m.row_counts });
  } catch (err) {
    await removeDbTemp(file);
    throw err;
  }
  return { path: file, label: `snapshot ${m.id} by ${m.device.name}`, cleanup: () => removeDbTemp(file) };
}

/**
 * An empty catalogue at the current schema: the common ancestor of two versions that share no
 * snapshot (a device that never synced, a base pruned from the remote). Every row is then "added" on
 * its side; the same id added with different values on both is a conflict, as in git's merge of
 * unrelated histories.
 */
export async function emptyCatalogueDb(tmpDir: string): Promise<TempDatabase> {
  const file = tempName(tmpDir, 'snapshot-empty.db');
  try {
    const db = new Database(file);
    try {
      migrate(db, COLLECTION_MIGRATIONS, file);
    } finally {
      db.close();
    }
  } catch (err) {
    await removeDbTemp(file);
    throw err;
  }
  return { path: file, label: 'an empty catalogue (no common snapshot)', cleanup: () => removeDbTemp(file) };
}
