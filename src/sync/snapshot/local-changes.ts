// Has collection.db changed since this device's base snapshot? See fingerprint.ts for the method:
// fold the WAL in, then trust an unchanged stat stamp, else hash the file (≈0.3 s per 100 MB) and,
// when the content turns out unchanged, refresh the stamp so the next check is instant again.
import type { Library } from '../../store/library.js';
import { fingerprintFile, sameStamp, stampIsTrustworthy, stampOf } from './fingerprint.js';
import { rowCountsOf } from './snapshot-writer.js';
import { confirmStamp, getBase } from './sync-state.js';

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
