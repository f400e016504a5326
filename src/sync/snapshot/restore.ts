// Point-in-time restores: `trove snapshots restore <id>` (any snapshot on the remote) and
// `trove backups restore <id>` (a local backup). Both replace collection.db after verifying the
// source and after backing up the current database (so a restore is itself undoable), and both keep
// the device's base: the restored content shows as local changes, which `trove sync push` publishes
// on top of the current head — a restore never rewrites the shared history.
import Database from 'better-sqlite3';
import fsp from 'node:fs/promises';
import { tempName } from '../../store/atomic-fs.js';
import { TroveError, withContext } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { findBackup, type BackupRecord } from './backups.js';
import { fingerprintFile } from './fingerprint.js';
import { installDatabaseFile, installSnapshot } from './install.js';
import { detectLocalChanges } from './local-changes.js';
import { loadHistory } from './manifest-store.js';
import type { SnapshotManifest } from './manifest.js';
import { recoverPendingReplace } from './replace-db.js';
import { getBase, logSync } from './sync-state.js';

export function findSnapshot(byId: ReadonlyMap<string, SnapshotManifest>, ref: string): SnapshotManifest {
  if (!ref.trim()) throw new TroveError('USAGE', 'give a snapshot id (or the start of one; see `trove snapshots list`)');
  const hits = [...byId.values()].filter((m) => m.id === ref || m.id.startsWith(ref));
  if (hits.length === 0) throw new TroveError('NOT_FOUND', `no snapshot ${ref} on the remote (see \`trove snapshots list\`)`);
  if (hits.length > 1) throw new TroveError('AMBIGUOUS', `snapshot ${ref} matches ${hits.length} snapshots; give more of the id`);
  return hits[0]!;
}

export async function restoreSnapshot(lib: Library, remote: Remote, ref: string): Promise<{ snapshot: SnapshotManifest; backup: BackupRecord }> {
  await recoverPendingReplace(lib.paths, lib.state);
  const history = await loadHistory(remote, lib.state, { allowMissingParents: true });
  const m = findSnapshot(history.byId, ref);
  const local = await detectLocalChanges(lib);
  const base = getBase(lib.state)?.snapshotId ?? null;
  const { backup } = await installSnapshot(lib, remote, m, { keepBase: true, reason: `snapshots restore ${m.id}`, expectFingerprint: local.fingerprint });
  logSync(lib.state, {
    direction: 'restore',
    snapshotId: m.id,
    baseBefore: base,
    baseAfter: base,
    heads: history.heads.map((h) => h.id),
    conflict: false,
    resolution: null,
    outcome: 'ok',
    message: `restored snapshot ${m.id}; backup ${backup.id} holds the previous database`,
  });
  return { snapshot: m, backup };
}

export async function restoreBackup(lib: Library, ref: string): Promise<{ restored: BackupRecord; backup: BackupRecord }> {
  await recoverPendingReplace(lib.paths, lib.state);
  const b = findBackup(lib.paths, lib.state, ref);
  const label = `backup ${b.id} (${b.file})`;
  const got = await fingerprintFile(b.file).catch((err) => {
    throw withContext(label, err);
  });
  if (got.fingerprint !== b.fingerprint) {
    throw new TroveError('CHECKSUM_MISMATCH', `${label} no longer matches its recorded fingerprint (expected ${b.fingerprint}, got ${got.fingerprint}); not restoring it`);
  }
  const local = await detectLocalChanges(lib);
  const tmp = tempName(lib.paths.tmpDir, 'backup-restore.db');
  try {
    await fsp.copyFile(b.file, tmp);
    // Backups are WAL-mode files (links of the live database); verification opens read-only.
    const db = new Database(tmp, { fileMustExist: true });
    try {
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    const h = await fsp.open(tmp, 'r+');
    await h.sync().finally(() => h.close());
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw withContext(`copying ${label}`, err);
  }
  const base = getBase(lib.state);
  const { backup } = await installDatabaseFile(lib, tmp, label, { snapshotId: base?.snapshotId ?? null, dbSha1: null, fingerprint: b.fingerprint }, {
    keepBase: true,
    reason: `backups restore ${b.id}`,
    expectFingerprint: local.fingerprint,
  });
  logSync(lib.state, {
    direction: 'restore',
    snapshotId: null,
    baseBefore: base?.snapshotId ?? null,
    baseAfter: base?.snapshotId ?? null,
    heads: [],
    conflict: false,
    resolution: null,
    outcome: 'ok',
    message: `restored backup ${b.id}; backup ${backup.id} holds the previous database`,
  });
  return { restored: b, backup };
}
