// The history side of TroveServices: sync status, push and pull (src/sync/snapshot), diffs and the
// pending merge (src/sync/diff, src/sync/merge), backups, snapshots and restores — mapped into the
// plain shapes the screens read. The sync modules are imported on first use, so the first frame does
// not wait for them. StoreServices (store-services.ts) delegates here.
import type { Library } from '../store/library.js';
import { TroveError } from '../store/errors.js';
import type { SideSource } from '../sync/diff/side-resolver.js';
import type { Remote } from '../sync/remote/remote.js';
import { formatBytes, shortId } from './format.js';
import type { Counts, DiffReport, MergeSide, PendingMerge, PullResolution, RestorePoint, SyncResult, SyncStatus } from './services.js';

/** What these operations need from StoreServices. */
export interface HistoryHost {
  /** The library as it is now (it is reopened after collection.db is replaced). */
  lib(): Library;
  /** The remote; OpenDAL's native addon is loaded on first use. */
  withRemote(): Promise<Remote>;
  /** Run an operation that replaces collection.db: refused while downloads run; reopens after. */
  exclusive<T>(what: string, op: () => Promise<T>): Promise<T>;
}

/** A database value for people (null stays null: the viewer shows it as "∅"). */
function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function toMergeSide(s: 'local' | 'remote'): MergeSide {
  return s === 'remote' ? 'cloud' : 'local';
}

function countsOf(rows: Record<string, number>): Counts {
  return { systems: rows.system ?? 0, releases: rows.release ?? 0, fileSets: rows.file_set ?? 0, files: rows.file ?? 0 };
}

// ---- sync (issue 5) ----

export async function syncStatus(h: HistoryHost): Promise<SyncStatus> {
  const { syncStatus: computeStatus } = await import('../sync/snapshot/status.js');
  const { loadPendingMerge } = await import('../sync/merge/pending-merge.js');
  const s = await computeStatus(h.lib(), await h.withRemote());
  const localChanges: Record<string, number> = {};
  for (const t of s.localChanges.tables) {
    const d = t.local - (t.base ?? 0);
    if (d !== 0) localChanges[t.table] = d;
  }
  if (s.localChanges.changed && Object.keys(localChanges).length === 0) localChanges['edited rows (same counts)'] = 1;
  return {
    device: s.device,
    remote: s.remote,
    base: s.base,
    heads: s.heads.map((h) => ({ id: h.id, device: h.device.name, createdAt: h.createdAt })),
    ahead: s.ahead,
    behind: s.behind,
    localChanges,
    conflict: s.conflict,
    pendingMerge: loadPendingMerge(h.lib().state) !== undefined,
    sharedDeviceId: s.sharedDeviceId.length,
  };
}

export async function push(h: HistoryHost): Promise<SyncResult> {
  const { syncPush } = await import('../sync/snapshot/push-pull.js');
  const remote = await h.withRemote();
  try {
    const r = await syncPush(h.lib(), remote);
    const note = r.deviceIdChange ? ` — note: ${r.deviceIdChange.message}` : '';
    if (!r.snapshot) return { outcome: 'up-to-date', message: `Nothing to push: ${r.plan.reason}${note}` };
    return { outcome: 'pushed', message: `Pushed snapshot ${shortId(r.snapshot.id)} to ${remote.description} (${formatBytes(r.uploadedBytes)} uploaded)${note}` };
  } catch (err) {
    if (err instanceof TroveError && err.code === 'CONFLICT') return { outcome: 'conflict', message: err.message };
    throw err;
  }
}

export async function pull(h: HistoryHost, resolve?: PullResolution): Promise<SyncResult> {
  const { syncPull } = await import('../sync/snapshot/push-pull.js');
  const remote = await h.withRemote();
  return h.exclusive('Pull', async () => {
    try {
      // A merge from the TUI is always planned and kept pending: the merge viewer shows each clash
      // with its default, the user picks sides, and applying is a separate, confirmed step.
      const r = await syncPull(h.lib(), remote, resolve === 'merge' ? { resolve, apply: false } : { resolve });
      const note = r.deviceIdChange ? ` — note: ${r.deviceIdChange.message}` : '';
      if (r.pendingMerge) {
        const n = r.pendingMerge.conflicts.length;
        return {
          outcome: 'merge-pending',
          message: `Merge planned: ${r.pendingMerge.changes} change(s), ${n} clash(es) to settle — l / c pick a side, a applies (nothing changed yet)${note}`,
        };
      }
      if (!r.snapshot) return { outcome: 'up-to-date', message: `Up to date: ${r.plan.reason}${note}` };
      const backup = r.backupId ? `; backup ${shortId(r.backupId)} holds the previous database` : '';
      if (r.plan.kind === 'keep-local') return { outcome: 'pushed', message: `Kept this device's catalogue and pushed it as ${shortId(r.snapshot.id)}${note}` };
      return { outcome: 'pulled', message: `Pulled snapshot ${shortId(r.snapshot.id)} by ${r.snapshot.device.name}${backup}${note}` };
    } catch (err) {
      if (err instanceof TroveError && err.code === 'CONFLICT') return { outcome: 'conflict', message: err.message };
      throw err;
    }
  });
}

// ---- diff and merge (issue 6) ----

export async function diff(h: HistoryHost, from: string, to: string): Promise<DiffReport> {
  const { diffSides } = await import('../sync/diff/diff-sides.js');
  const { createSideResolver } = await import('../sync/diff/side-resolver.js');
  const { snapshotSideSources } = await import('../sync/snapshot/diff-sources.js');
  const { loadRemoteConfig, openRemote } = await import('../sync/remote/remote-config.js');
  const lib = h.lib();
  // base, head, snapshot ids and backup ids: downloaded/copied into tmp/ and verified, then removed.
  const sources: SideSource[] = snapshotSideSources(lib, loadRemoteConfig(lib) ? () => openRemote(lib) : undefined);
  const report = await diffSides(from, to, {
    resolve: createSideResolver({ localDb: lib.paths.collectionDb, sources }),
    tmpDir: lib.paths.tmpDir,
  });
  return {
    from: report.a.label,
    to: report.b.label,
    changes: (report.changes ?? []).map((c) => ({
      entity: c.entity,
      change: c.change,
      label: c.label,
      fields: c.fields.map((f) => ({ field: f.field, before: valueText(f.beforeLabel ?? f.before), after: valueText(f.afterLabel ?? f.after) })),
    })),
  };
}

export async function pendingMerge(h: HistoryHost): Promise<PendingMerge | null> {
  const { loadPendingMerge } = await import('../sync/merge/pending-merge.js');
  const m = loadPendingMerge(h.lib().state);
  if (!m) return null;
  return {
    base: m.baseLabel,
    head: m.remoteLabel,
    clashes: m.conflicts.map((c) => ({
      id: c.id,
      entity: c.entity,
      label: c.label,
      field: c.field ?? c.kind,
      base: valueText(c.detail.base),
      local: valueText(c.detail.local),
      cloud: valueText(c.detail.remote),
      defaultSide: toMergeSide(c.defaultSide),
      chosen: toMergeSide(c.chosenSide ?? c.defaultSide),
    })),
    // The clean changes are only known when the plan is recomputed against collection.db at apply time.
    cleanChanges: Number.NaN,
  };
}

export async function resolveClash(h: HistoryHost, id: string, side: MergeSide): Promise<void> {
  const { chooseResolution } = await import('../sync/merge/pending-merge.js');
  chooseResolution(h.lib().state, id, side === 'cloud' ? 'remote' : 'local');
}

/**
 * Apply the pending merge and, like `trove merge --apply`, push it at once when it settles a
 * conflict with the remote (the merge records the remote head and the base as parents): until it is
 * pushed, the remote still holds the other head and status would go on saying CONFLICT — advice
 * (`--resolve cloud`) that would throw the merge away. If the push fails, the merge stays applied
 * and the message says `p` pushes it.
 */
export async function applyMerge(h: HistoryHost): Promise<SyncResult> {
  const { applyPendingMerge } = await import('../sync/merge/merge-session.js');
  const applied = await h.exclusive('Applying the merge', async () => {
    const device = h.lib().device().id;
    // applyPendingMerge replaces collection.db: no connection to it may stay open (state.db may).
    h.lib().db.close();
    return applyPendingMerge(h.lib().paths, h.lib().state, device);
  });
  const merged = `Merged: ${applied.changes} change(s) applied, ${applied.conflicts.length} clash(es) resolved; backup ${shortId(applied.backup.id)} holds the previous database`;
  if (!applied.origin) return { outcome: 'pulled', message: `${merged}. p on Sync pushes the result.` };
  const { syncPush } = await import('../sync/snapshot/push-pull.js');
  try {
    const r = await syncPush(h.lib(), await h.withRemote()); // the library reopened on the merged file
    if (!r.snapshot) return { outcome: 'pulled', message: `${merged}; nothing to push: ${r.plan.reason}` };
    return { outcome: 'pushed', message: `${merged}; pushed as snapshot ${shortId(r.snapshot.id)}.` };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { outcome: 'pulled', message: `${merged}; not pushed yet (${why}): p on Sync pushes it.` };
  }
}

// ---- backups and snapshots (issue 5) ----

export async function listBackups(h: HistoryHost): Promise<RestorePoint[]> {
  const { listBackupsChecked, backupRowCounts } = await import('../sync/snapshot/backups.js');
  const device = h.lib().device().name;
  // A backup whose file was deleted outside trove is listed as such, not a screen-wide error.
  return listBackupsChecked(h.lib().paths, h.lib().state)
    .reverse()
    .map((b) => ({
      id: b.id,
      kind: 'backup' as const,
      createdAt: b.createdAt,
      device,
      note: b.missing ? `${b.reason} — file missing, cannot be restored` : b.reason,
      counts: countsOf(b.missing ? {} : backupRowCounts(b)),
    }));
}

export async function listSnapshots(h: HistoryHost): Promise<RestorePoint[]> {
  const { loadHistory } = await import('../sync/snapshot/manifest-store.js');
  const { getBase } = await import('../sync/snapshot/sync-state.js');
  const history = await loadHistory(await h.withRemote(), h.lib().state, { allowMissingParents: true });
  const base = getBase(h.lib().state)?.snapshotId ?? null;
  const heads = new Set(history.heads.map((h) => h.id));
  return [...history.byId.values()]
    .sort((a, b) => b.id.localeCompare(a.id))
    .map((m) => ({
      id: m.id,
      kind: 'snapshot' as const,
      createdAt: m.created_at,
      device: m.device.name,
      note: [heads.has(m.id) ? 'head' : '', m.id === base ? 'base' : ''].filter(Boolean).join(', '),
      counts: countsOf(m.row_counts),
    }));
}

export async function restore(h: HistoryHost, point: RestorePoint): Promise<string> {
  const { restoreBackup, restoreSnapshot } = await import('../sync/snapshot/restore.js');
  const remote = point.kind === 'snapshot' ? await h.withRemote() : undefined;
  return h.exclusive('Restoring', async () => {
    if (point.kind === 'backup') {
      const r = await restoreBackup(h.lib(), point.id);
      return `Restored backup ${shortId(r.restored.id)} (${r.restored.reason}); backup ${shortId(r.backup.id)} holds the previous database`;
    }
    const r = await restoreSnapshot(h.lib(), remote!, point.id);
    return `Restored snapshot ${shortId(r.snapshot.id)} by ${r.snapshot.device.name}; backup ${shortId(r.backup.id)} holds the previous database`;
  });
}
