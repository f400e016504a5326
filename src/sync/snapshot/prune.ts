// `trove snapshots prune --keep-last N`: remove old snapshots from the remote without ever removing
// a head, the newest snapshot each device pushed (its base right after that push), the base each
// device last recorded on pull (base markers), or this device's own base. Deleting is ordered so a
// crash at any point leaves a readable history: tombstone, then manifest, then content no retained
// snapshot references (checked again against a fresh listing just before the content goes). Then
// content no manifest references at all — left by pushes killed before their manifest — once older
// than the grace period (orphan-content.ts).
import type Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { deviceTag, nowIso } from '../../store/ids.js';
import type { Remote } from '../remote/remote.js';
import { latestByDevice, type History } from './history.js';
import { listBaseMarkers, loadHistory, type BaseMarker } from './manifest-store.js';
import { manifestKey, prunedKey, type SnapshotManifest } from './manifest.js';
import { chunkKeysOf } from './chunked-db.js';
import { sweepOrphanContent, type OrphanSweep } from './orphan-content.js';
import { DEFAULT_GRACE_MS } from '../transfer/gc-plan.js';

export interface PrunePlan {
  keep: { id: string; why: string[] }[];
  remove: string[];
  /** Older base markers superseded by a newer one of the same device. */
  staleMarkers: string[];
}

/** Pure: which snapshots stay and why. */
export function planPrune(history: History, markers: readonly BaseMarker[], keepLast: number, localBase: string | null): PrunePlan {
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new TroveError('BAD_INPUT', `--keep-last must be a whole number of at least 1 (got ${keepLast})`);
  const why = new Map<string, string[]>();
  const keep = (id: string | null | undefined, reason: string) => {
    if (!id || !history.byId.has(id)) return;
    why.set(id, [...(why.get(id) ?? []), reason]);
  };
  for (const h of history.heads) keep(h.id, 'head');
  const ids = [...history.byId.keys()].sort();
  for (const id of ids.slice(Math.max(0, ids.length - keepLast))) keep(id, `one of the last ${keepLast}`);
  for (const [device, m] of latestByDevice(history)) keep(m.id, `newest push of device ${m.device.name} (${deviceTag(device)})`);
  const newestMarker = new Map<string, BaseMarker>();
  for (const mk of markers) newestMarker.set(mk.device, mk);
  for (const mk of newestMarker.values()) keep(mk.base, `base of device ${deviceTag(mk.device)}`);
  keep(localBase, 'base of this device');
  const staleMarkers = markers.filter((mk) => newestMarker.get(mk.device) !== mk).map((mk) => mk.key);
  return {
    keep: ids.filter((id) => why.has(id)).map((id) => ({ id, why: why.get(id)! })),
    remove: ids.filter((id) => !why.has(id)),
    staleMarkers,
  };
}

/** Every remote object a snapshot's content lives in (not its manifest). */
async function contentKeysOf(remote: Remote, m: SnapshotManifest): Promise<string[]> {
  const keys = [m.database.key, m.file_list.key];
  if (m.database.format === 'chunks') keys.push(...(await chunkKeysOf(remote, m.database, `snapshot ${m.id}`)));
  return keys;
}

export interface PruneResult extends PrunePlan {
  deletedObjects: number;
  dryRun: boolean;
  /** Content no manifest references (left by interrupted pushes): deleted, or kept within the grace period. */
  orphans: OrphanSweep;
}

/** Every content object the manifests listed now reference. */
async function referencedContent(remote: Remote, state: Database.Database): Promise<Set<string>> {
  const h = await loadHistory(remote, state, { allowMissingParents: true });
  const referenced = new Set<string>();
  for (const m of h.byId.values()) for (const k of await contentKeysOf(remote, m)) referenced.add(k);
  return referenced;
}

export async function pruneSnapshots(
  remote: Remote,
  state: Database.Database,
  opts: { keepLast: number; localBase: string | null; dryRun?: boolean; graceMs?: number },
): Promise<PruneResult> {
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const history = await loadHistory(remote, state, { allowMissingParents: true });
  const markers = await listBaseMarkers(remote);
  const plan = planPrune(history, markers, opts.keepLast, opts.localBase);
  if (opts.dryRun) {
    const orphans = await sweepOrphanContent(remote, () => referencedContent(remote, state), { graceMs, dryRun: true });
    return { ...plan, deletedObjects: 0, dryRun: true, orphans };
  }
  let deleted = 0;
  for (const id of plan.remove) {
    const parents = history.byId.get(id)!.parents;
    await remote.write(prunedKey(id), Buffer.from(JSON.stringify({ id, parents, pruned_at: nowIso() }) + '\n'));
    await remote.delete(manifestKey(id));
    deleted++;
  }
  // Content: delete what no manifest still listed references (fresh listing: a push may have reused it).
  const after = await loadHistory(remote, state, { allowMissingParents: true });
  const referenced = new Set<string>();
  for (const m of after.byId.values()) for (const k of await contentKeysOf(remote, m)) referenced.add(k);
  const candidates = new Set<string>();
  for (const id of plan.remove) for (const k of await contentKeysOf(remote, history.byId.get(id)!)) candidates.add(k);
  for (const key of candidates) {
    if (referenced.has(key)) continue;
    await remote.delete(key);
    deleted++;
  }
  for (const key of plan.staleMarkers) {
    await remote.delete(key);
    deleted++;
  }
  const orphans = await sweepOrphanContent(remote, () => referencedContent(remote, state), { graceMs });
  deleted += orphans.deleted.length;
  return { ...plan, deletedObjects: deleted, dryRun: false, orphans };
}
