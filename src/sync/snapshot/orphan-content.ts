// Snapshot content that no manifest references: what a push killed after uploading some chunks (and
// before its manifest) leaves on the remote. The next push has other pages, so those objects stay
// unreferenced for ever; three interrupted pushes of a 2 MiB catalogue left 12.6 MiB (QA2-E F4).
// `snapshots prune` sweeps them, as restic's `prune` removes packs an interrupted backup left:
// content objects under metadata/ that no listed manifest references and that are older than the
// grace period — a push running right now uploads its content before its manifest, and the grace
// period (default 24 h, like prune-blobs) is what keeps its objects. Age unknown: kept.
import type { Remote } from '../remote/remote.js';

export const CONTENT_PREFIXES = ['metadata/chunks/', 'metadata/chunk-indexes/', 'metadata/file-lists/', 'metadata/databases/'] as const;

export interface OrphanObject {
  key: string;
  size: number;
}

export interface OrphanSweep {
  deleted: OrphanObject[];
  /** Unreferenced but written within the grace period (a push may be uploading it), or of unknown age. */
  kept: (OrphanObject & { reason: 'within grace period' | 'age unknown' })[];
  bytesFreed: number;
}

/** Pure: of the unreferenced objects with their modification times, which may go. */
export function planOrphans(
  unreferenced: readonly (OrphanObject & { modifiedAt?: string | null })[],
  now: number,
  graceMs: number,
): { remove: OrphanObject[]; keep: OrphanSweep['kept'] } {
  const remove: OrphanObject[] = [];
  const keep: OrphanSweep['kept'] = [];
  for (const o of unreferenced) {
    const t = o.modifiedAt ? Date.parse(o.modifiedAt) : NaN;
    if (graceMs > 0 && Number.isNaN(t)) keep.push({ key: o.key, size: o.size, reason: 'age unknown' });
    else if (graceMs > 0 && now - t < graceMs) keep.push({ key: o.key, size: o.size, reason: 'within grace period' });
    else remove.push({ key: o.key, size: o.size });
  }
  return { remove, keep };
}

/**
 * Delete (or with `dryRun` only list) content objects no manifest references. `referenced` must come
 * from a listing of manifests made after the content listing below — so a push that completed
 * meanwhile is counted — and is re-read by the caller's `stillReferenced` just before deleting.
 */
export async function sweepOrphanContent(
  remote: Remote,
  referenced: () => Promise<ReadonlySet<string>>,
  opts: { graceMs: number; dryRun?: boolean; now?: number },
): Promise<OrphanSweep> {
  const listed: OrphanObject[] = [];
  for (const prefix of CONTENT_PREFIXES) for (const e of await remote.list(prefix)) listed.push({ key: e.key, size: e.size });
  const refs = await referenced(); // after the content listing: content of a push that finished meanwhile is referenced here
  const unreferenced = listed.filter((o) => !refs.has(o.key));
  const withAge: (OrphanObject & { modifiedAt?: string | null })[] = [];
  for (const o of unreferenced) withAge.push({ ...o, modifiedAt: opts.graceMs > 0 ? ((await remote.stat(o.key))?.lastModified ?? null) : null });
  const plan = planOrphans(withAge, opts.now ?? Date.now(), opts.graceMs);
  const sweep: OrphanSweep = { deleted: [], kept: plan.keep, bytesFreed: 0 };
  for (const o of plan.remove) {
    if (!opts.dryRun) await remote.delete(o.key);
    sweep.deleted.push(o);
    sweep.bytesFreed += o.size;
  }
  return sweep;
}
