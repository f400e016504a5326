// Has collection.db changed since this device's base snapshot? See fingerprint.ts for the method:
// fold the WAL in, then trust an unchanged stat stamp, else hash the file (≈0.3 s per 100 MB) and,
// when the content turns out unchanged, refresh the stamp so the next check is instant again.
import type { Library } from '../../store/library.js';
import { fingerprintFile, sameStamp, stampIsTrustworthy, stampOf } from './fingerprint.js';
import { ownUnrecordedSnapshot, type History } from './history.js';
import type { SnapshotManifest } from './manifest.js';
import { rowCountsOf } from './snapshot-writer.js';
import { confirmStamp, getBase, logSync, setBase } from './sync-state.js';

export interface LocalChanges {
  changed: boolean;
  /** How it was decided: an unchanged stat, a hash of the file, no base yet (any rows = changed), or a busy WAL (assume changed). */
  method: 'stamp' | 'hash' | 'no-base' | 'busy';
  /** The content fingerprint of collection.db, when it was computed or vouched for by the stamp. */
  fingerprint?: string;
}

export async function detectLocalChanges(lib: Library): Promise<LocalChanges> {
  const base = getBase(lib.state);
  const [cp] = lib.db.pragma('main.wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  const busy = !!cp && cp.busy !== 0;
  if (!base) {
    const counts = rowCountsOf(lib.db);
    const changed = Object.entries(counts).some(([t, n]) => t !== 'file_sync_log' && n > 0);
    // The fingerprint lets a replacement check that nothing was written since this decision.
    return { changed, method: 'no-base', fingerprint: busy ? undefined : (await fingerprintFile(lib.paths.collectionDb)).fingerprint };
  }
  if (busy) return { changed: true, method: 'busy' };
  const stamp = await stampOf(lib.paths.collectionDb);
  if (base.stamp && base.confirmedAtMs !== undefined && sameStamp(stamp, base.stamp) && stampIsTrustworthy(base.stamp, base.confirmedAtMs)) {
    return { changed: false, method: 'stamp', fingerprint: base.fingerprint };
  }
  const { fingerprint } = await fingerprintFile(lib.paths.collectionDb);
  const changed = fingerprint !== base.fingerprint;
  if (!changed) confirmStamp(lib.state, stamp);
  return { changed, method: 'hash', fingerprint };
}

/**
 * Local changes against the base, after recognising a push of this device that a crash cut off between
 * writing its manifest and recording it in state.db: when a snapshot on the remote was pushed by this
 * device, descends from the base and has exactly collection.db's content, it becomes the base (and the
 * sync log says so) instead of making the device conflict with itself.
 */
export async function detectLocalChangesIn(lib: Library, history: History): Promise<LocalChanges & { adopted?: SnapshotManifest }> {
  const local = await detectLocalChanges(lib);
  if (!local.changed || !local.fingerprint) return local;
  const base = getBase(lib.state)?.snapshotId ?? null;
  const own = ownUnrecordedSnapshot(history, lib.device().id, base, local.fingerprint);
  if (!own) return local;
  setBase(lib.state, { snapshotId: own.id, dbSha1: own.database.sha1, fingerprint: own.database.sha1 });
  confirmStamp(lib.state, await stampOf(lib.paths.collectionDb));
  logSync(lib.state, {
    direction: 'push',
    snapshotId: own.id,
    baseBefore: base,
    baseAfter: own.id,
    heads: history.heads.map((h) => h.id),
    conflict: false,
    resolution: null,
    outcome: 'ok',
    message: `recorded snapshot ${own.id} as the base: this device pushed it, but was interrupted before recording it (collection.db has exactly its content)`,
  });
  return { changed: false, method: local.method, fingerprint: local.fingerprint, adopted: own };
}

export interface TableChange {
  table: string;
  base: number | null;
  local: number;
}

/** Row counts now against the base manifest's (a summary; `trove diff` gives the rows themselves). */
export function tableCounts(lib: Library, baseCounts: Record<string, number> | undefined): TableChange[] {
  const now = rowCountsOf(lib.db);
  const tables = [...new Set([...Object.keys(now), ...Object.keys(baseCounts ?? {})])].sort();
  return tables.map((t) => ({ table: t, base: baseCounts?.[t] ?? null, local: now[t] ?? 0 }));
}
