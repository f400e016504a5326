// `trove sync status`: where this device stands against the remote. Cheap by construction: one
// listing of manifests (new ones fetched once, then cached), and local changes decided from a stat
// stamp when possible (see fingerprint.ts).
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { detectSharedDeviceId, type ForeignWrite } from './device-claim.js';
import { behindCount } from './history.js';
import { detectLocalChangesIn, tableCounts, type TableChange } from './local-changes.js';
import { loadHistory } from './manifest-store.js';
import { recoverPendingReplace } from './replace-db.js';
import { getBase, getMergedParents } from './sync-state.js';
import { baseLost, HEADS_HINT, RESOLVE_HINT } from './sync-plan.js';

export interface HeadInfo {
  id: string;
  device: { id: string; name: string };
  createdAt: string;
}

export interface SyncStatus {
  device: { id: string; name: string };
  remote: string;
  base: string | null;
  /** The base snapshot is gone from the remote (pruned) or was never there. */
  baseOnRemote: boolean;
  /**
   * The base is outside the head's history (gone without a tombstone linking it, or on another line)
   * and collection.db's content is not in that history: taking the head could drop work, so it is a conflict.
   */
  baseLost: boolean;
  heads: HeadInfo[];
  snapshots: number;
  /** Snapshots on the remote that this device's base does not contain. */
  behind: number;
  /** Local states not on the remote: 1 when collection.db changed since the base, else 0. */
  ahead: number;
  localChanges: { changed: boolean; method: string; tables: TableChange[] };
  conflict: boolean;
  /** The parents of a merge applied locally and not pushed yet (`trove sync push` publishes it), else null. */
  mergedParents: string[] | null;
  /** Writes under this device id that another library made (a copied library folder); the next push or pull takes a new id. */
  sharedDeviceId: ForeignWrite[];
  next: string;
}

export async function syncStatus(lib: Library, remote: Remote): Promise<SyncStatus> {
  await recoverPendingReplace(lib.paths, lib.state);
  const history = await loadHistory(remote, lib.state);
  const local = await detectLocalChangesIn(lib, history);
  const shared = await detectSharedDeviceId(lib, remote, history);
  const base = getBase(lib.state)?.snapshotId ?? null;
  const heads = history.heads.map((h) => ({ id: h.id, device: h.device, createdAt: h.created_at }));
  const baseManifest = base ? history.byId.get(base) : undefined;
  const behind = behindCount(history, base);
  const single = heads.length === 1;
  // A base outside the head's history holding content the remote does not have: like local changes.
  const lost = baseLost({ history, base, localChanges: local.changed, localFingerprint: local.fingerprint });
  // A merge applied here and not pushed yet (a push that failed or was killed): pushing finishes it.
  const merged = getMergedParents(lib.state);
  const mergeToPush = !!merged?.length && local.changed && heads.length > 0 && heads.every((h) => merged.includes(h.id));
  const conflict =
    !mergeToPush && (heads.length > 1 || (single && heads[0]!.id !== base && (local.changed || lost) && base !== null) || (single && base === null && local.changed));
  let next: string;
  if (mergeToPush) next = 'Your merge of the remote head(s) is applied locally but not pushed yet: run `trove sync push`.';
  else if (conflict) next = (heads.length > 1 ? HEADS_HINT : RESOLVE_HINT).replace(/^run/, 'Run');
  else if (heads.length === 0) next = local.changed || base === null ? 'Run `trove sync push` to publish this collection.' : 'Nothing to do.';
  else if (heads[0]!.id !== base) next = 'Run `trove sync pull` to take the newer snapshot.';
  else if (local.changed) next = 'Run `trove sync push` to publish your local changes.';
  else next = 'Up to date.';
  return {
    device: lib.device(),
    remote: remote.description,
    base,
    baseOnRemote: !!baseManifest,
    baseLost: lost,
    heads,
    snapshots: history.byId.size,
    behind,
    ahead: local.changed ? 1 : 0,
    localChanges: { changed: local.changed, method: local.method, tables: local.changed ? tableCounts(lib, baseManifest?.row_counts) : [] },
    conflict,
    mergedParents: mergeToPush ? merged! : null,
    sharedDeviceId: shared,
    next,
  };
}
