// Local changes that are only upload records. `file_sync_log` (the cloud status of each blob) lives in
// collection.db, so a finished `upload` changes the catalogue file: the device then has "local
// changes", and its next pull after any other device's push was a conflict (exit 3), although `diff`
// said "No catalogue changes" (QA2-E F7) — in the ordinary add → push → upload order, every device.
// Those rows merge without clashes (the later observation wins, merge-plan.ts), as git-annex merges
// its location log: so a plain pull whose only local changes are upload records merges the remote
// head in and pushes the result, with no question to ask. Anything else changed still needs a
// choice (--resolve).
import os from 'node:os';
import type { Library } from '../../store/library.js';
import { diffDatabases } from '../diff/diff-databases.js';
import { totalChanges } from '../diff/diff-report.js';
import { alignSchema } from '../diff/schema-align.js';
import type { Remote } from '../remote/remote.js';
import type { History } from './history.js';
import { downloadSnapshotDb } from './snapshot-file.js';

/**
 * Whether collection.db differs from the base snapshot only in file_sync_log (downloads the base to
 * tmp/ once, compares with SQL, removes it). False when the base is not on the remote.
 */
export async function onlyUploadRecordsChanged(lib: Library, remote: Remote, history: History, base: string | null): Promise<boolean> {
  const m = base ? history.byId.get(base) : undefined;
  if (!m) return false;
  const baseDb = await downloadSnapshotDb(remote, m, lib.paths.tmpDir, { verify: true });
  try {
    const a = alignSchema({ path: baseDb.path, label: baseDb.label, cleanup: () => undefined }, os.tmpdir());
    const b = alignSchema({ path: lib.paths.collectionDb, label: `local (${lib.paths.collectionDb})`, cleanup: () => undefined }, os.tmpdir());
    try {
      const report = diffDatabases(
        { path: a.path, ref: 'base', label: a.label, schemaVersion: a.schemaVersion, migrated: a.migrated },
        { path: b.path, ref: 'local', label: b.label, schemaVersion: b.schemaVersion, migrated: b.migrated },
        { summaryOnly: true },
      );
      return totalChanges(report.summary) === 0;
    } finally {
      a.cleanup();
      b.cleanup();
    }
  } finally {
    await baseDb.cleanup();
  }
}
