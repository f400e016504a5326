// TroveServices over a real library: the store's catalogue queries and export, the transfer queue
// (src/sync/transfer), snapshot sync, backups and restores (src/sync/snapshot), the diff engine and the
// pending merge (src/sync/diff, src/sync/merge). Modules that load OpenDAL's native addon or the sync
// machinery are imported on first use, so the first frame does not wait for them.
import { exportTarget as storeExport } from '../store/export.js';
import { Library } from '../store/library.js';
import {
  countCatalog,
  countReleasePage,
  listFileSets,
  listFiles,
  listReleaseIds,
  listReleasePage,
  listReleasesByIds,
  listSystems,
  type ReleaseSummary,
} from '../store/repo/catalog-queries.js';
import { TroveError, type ErrorCode } from '../store/errors.js';
import type { SideSource } from '../sync/diff/side-resolver.js';
import type { Remote } from '../sync/remote/remote.js';
import { planDrop } from '../sync/transfer/drop-plan.js';
import { runDrop } from '../sync/transfer/drop-worker.js';
import { CONCURRENCY_SETTING, configuredConcurrency } from '../sync/transfer/transfer-options.js';
import { targetFiles, type TargetFilter } from '../sync/transfer/transfer-targets.js';
import { formatBytes } from './format.js';
import type {
  ActionTarget,
  Counts,
  DiffReport,
  DropResult,
  ExportResult,
  FileItem,
  FileSetItem,
  MergeSide,
  PendingMerge,
  PullResolution,
  ReleaseItem,
  ReleaseQuery,
  RestorePoint,
  Settings,
  SyncResult,
  SyncStatus,
  SystemItem,
  TransferSnapshot,
  TroveServices,
} from './services.js';
import { pagingModeFor, releaseQueryKey } from './state/release-paging.js';
import { TransferSession } from './transfer-session.js';

/** One key: the transfer workers read the same setting (src/sync/transfer/transfer-options.ts). */
export { CONCURRENCY_SETTING };

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

function toReleaseItem(r: ReleaseSummary): ReleaseItem {
  return {
    id: r.id,
    name: r.name,
    title: r.title,
    region: r.region,
    system: r.system,
    availability: r.availability,
    fileSets: r.file_sets,
    files: r.files,
    bytes: r.bytes,
    local: r.local,
    cloud: r.cloud,
    synchronized: r.synchronized,
  };
}

export class StoreServices implements TroveServices {
  private readonly listeners = new Set<() => void>();
  /** Ordered ids of the last 'ids'-paged query (one at a time: the list on screen). */
  private idCache: { key: string; ids: string[] } | undefined;
  private readonly transferListeners = new Set<(s: TransferSnapshot) => void>();
  private transferSession: TransferSession | undefined;
  private openRemote: ((lib: Library) => Remote) | undefined;
  private remoteCache: Remote | undefined;

  /** Replaced (reopened) after a restore, pull or merge swaps collection.db. */
  constructor(private lib: Library) {}

  // ---- browsing ----
  async listSystems(): Promise<SystemItem[]> {
    return listSystems(this.lib.db);
  }

  private idsFor(q: ReleaseQuery): string[] {
    const key = releaseQueryKey(q);
    if (this.idCache?.key !== key) this.idCache = { key, ids: listReleaseIds(this.lib.db, this.storeQuery(q)) };
    return this.idCache.ids;
  }

  private storeQuery(q: ReleaseQuery) {
    return { systemId: q.systemId, search: q.search, availability: q.filter, sort: q.sort };
  }

  async countReleases(q: ReleaseQuery): Promise<number> {
    if (pagingModeFor(q) === 'ids') return this.idsFor(q).length;
    return countReleasePage(this.lib.db, this.storeQuery(q));
  }

  async listReleases(q: ReleaseQuery, offset: number, limit: number): Promise<ReleaseItem[]> {
    const rows =
      pagingModeFor(q) === 'ids'
        ? listReleasesByIds(this.lib.db, this.idsFor(q).slice(offset, offset + limit))
        : listReleasePage(this.lib.db, this.storeQuery(q), offset, limit);
    return rows.map(toReleaseItem);
  }

  async listFileSets(releaseId: string): Promise<FileSetItem[]> {
    return listFileSets(this.lib.db, { releaseId }).map((f) => ({
      id: f.id,
      name: f.name,
      type: f.type,
      release: f.release,
      availability: f.availability,
      files: f.files,
      bytes: f.bytes,
      local: f.local,
      synchronized: f.synchronized,
    }));
  }

  async listFiles(fileSetId: string): Promise<FileItem[]> {
    return listFiles(this.lib.db, { fileSetId }).map((f) => ({ sha1: f.sha1, name: f.name, size: f.size, availability: f.availability }));
  }

  async catalogCounts(): Promise<Counts> {
    return countCatalog(this.lib.db);
  }

  async exportTarget(target: ActionTarget, dir: string): Promise<ExportResult> {
    if (!dir.trim()) throw new TroveError('BAD_INPUT', 'export needs a folder');
    const files = await storeExport(this.lib, { kind: target.kind, id: target.id, label: target.label, releaseId: '' }, dir.trim());
    return { files: files.length, dir: dir.trim() };
  }

  onCatalogChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lists are stale: drop cached orderings and tell every subscriber. */
  protected catalogChanged(): void {
    this.idCache = undefined;
    for (const l of this.listeners) l();
  }

  // ---- transfers (issue 4): the real download queue, run in the background ----
  private session(): TransferSession {
    this.transferSession ??= new TransferSession({
      lib: () => this.lib,
      remote: () => this.remote(),
      onChange: (s) => {
        for (const l of this.transferListeners) l(s);
      },
      onLocal: () => this.catalogChanged(),
    });
    return this.transferSession;
  }

  private remote(): Remote {
    if (!this.openRemote) throw new TroveError('NOT_AVAILABLE', 'the remote module is not loaded yet');
    this.remoteCache ??= this.openRemote(this.lib);
    return this.remoteCache;
  }

  /** OpenDAL's native addon is loaded on first use, not for the first frame. */
  private async withRemote(): Promise<Remote> {
    if (!this.openRemote) this.openRemote = (await import('../sync/remote/remote-config.js')).openRemote;
    return this.remote();
  }

  private filterFor(target: ActionTarget): TargetFilter {
    return target.kind === 'release' ? { releaseId: target.id } : { fileSetId: target.id };
  }

  async download(target: ActionTarget): Promise<void> {
    await this.withRemote();
    this.session().request(this.filterFor(target), target.label);
  }
  async downloadAll(systemId: string): Promise<void> {
    await this.withRemote();
    const name = (await this.listSystems()).find((s) => s.id === systemId)?.name ?? systemId;
    this.session().request({ systemId }, name);
  }
  async drop(target: ActionTarget): Promise<DropResult> {
    const remote = await this.withRemote();
    const plan = planDrop(targetFiles(this.lib.db, this.filterFor(target)));
    const report = await runDrop(this.lib, remote, plan);
    this.catalogChanged();
    if (report.stoppedBy) throw new TroveError(report.stoppedBy.code as ErrorCode, report.stoppedBy.message);
    return { dropped: report.dropped, kept: report.kept.length + report.failed.length, bytesFreed: report.bytesFreed };
  }
  async transfers(): Promise<TransferSnapshot> {
    return this.session().snapshot();
  }
  onTransfers(listener: (s: TransferSnapshot) => void): () => void {
    this.transferListeners.add(listener);
    return () => this.transferListeners.delete(listener);
  }
  async retryTransfer(id: string): Promise<void> {
    await this.withRemote();
    this.session().retry(id);
  }
  async setTransfersPaused(paused: boolean): Promise<void> {
    this.session().setPaused(paused);
  }

  /** Restores, pulls and merges swap collection.db: never under a running download. */
  private async exclusive<T>(what: string, op: () => Promise<T>): Promise<T> {
    if (this.transferSession?.busy) throw new TroveError('BUSY', `${what} waits for the running downloads to finish (2: transfers)`);
    try {
      return await op();
    } finally {
      this.reopen();
    }
  }

  /** The sync code closes collection.db to replace it; open the library again on the new file. */
  private reopen(): void {
    if (this.lib.db.open && this.lib.state.open) return;
    const dir = this.lib.paths.dir;
    this.lib.close();
    this.lib = Library.open(dir);
    this.catalogChanged();
  }

  // ---- sync (issue 5) ----
  async syncStatus(): Promise<SyncStatus> {
    const { syncStatus } = await import('../sync/snapshot/status.js');
    const { loadPendingMerge } = await import('../sync/merge/pending-merge.js');
    const s = await syncStatus(this.lib, await this.withRemote());
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
      pendingMerge: loadPendingMerge(this.lib.state) !== undefined,
    };
  }
  async push(): Promise<SyncResult> {
    const { syncPush } = await import('../sync/snapshot/push-pull.js');
    const remote = await this.withRemote();
    try {
      const r = await syncPush(this.lib, remote);
      if (!r.snapshot) return { outcome: 'up-to-date', message: `Nothing to push: ${r.plan.reason}` };
      return { outcome: 'pushed', message: `Pushed snapshot ${r.snapshot.id.slice(0, 8)} to ${remote.description} (${formatBytes(r.uploadedBytes)} uploaded)` };
    } catch (err) {
      if (err instanceof TroveError && err.code === 'CONFLICT') return { outcome: 'conflict', message: err.message };
      throw err;
    }
  }
  async pull(resolve?: PullResolution): Promise<SyncResult> {
    const { syncPull } = await import('../sync/snapshot/push-pull.js');
    const remote = await this.withRemote();
    return this.exclusive('Pull', async () => {
      try {
        const r = await syncPull(this.lib, remote, { resolve });
        if (!r.snapshot) return { outcome: 'up-to-date', message: `Up to date: ${r.plan.reason}` };
        const backup = r.backupId ? `; backup ${r.backupId.slice(0, 8)} holds the previous database` : '';
        if (r.plan.kind === 'keep-local') return { outcome: 'pushed', message: `Kept this device's catalogue and pushed it as ${r.snapshot.id.slice(0, 8)}` };
        return { outcome: 'pulled', message: `Pulled snapshot ${r.snapshot.id.slice(0, 8)} by ${r.snapshot.device.name}${backup}` };
      } catch (err) {
        if (err instanceof TroveError && err.code === 'CONFLICT') return { outcome: 'conflict', message: err.message };
        throw err;
      }
    });
  }

  // ---- diff and merge (issue 6) ----
  async diff(from: string, to: string): Promise<DiffReport> {
    const { diffSides } = await import('../sync/diff/diff-sides.js');
    const { createSideResolver } = await import('../sync/diff/side-resolver.js');
    const { snapshotSideSources } = await import('../sync/snapshot/diff-sources.js');
    const { loadRemoteConfig, openRemote } = await import('../sync/remote/remote-config.js');
    const lib = this.lib;
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
  async pendingMerge(): Promise<PendingMerge | null> {
    const { loadPendingMerge } = await import('../sync/merge/pending-merge.js');
    const m = loadPendingMerge(this.lib.state);
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
  async resolveClash(id: string, side: MergeSide): Promise<void> {
    const { chooseResolution } = await import('../sync/merge/pending-merge.js');
    chooseResolution(this.lib.state, id, side === 'cloud' ? 'remote' : 'local');
  }
  async applyMerge(): Promise<SyncResult> {
    const { applyPendingMerge } = await import('../sync/merge/merge-session.js');
    return this.exclusive('Applying the merge', async () => {
      const device = this.lib.device().id;
      // applyPendingMerge replaces collection.db: no connection to it may stay open (state.db may).
      this.lib.db.close();
      const r = await applyPendingMerge(this.lib.paths, this.lib.state, device);
      return {
        outcome: 'pulled',
        message: `Merged: ${r.changes} change(s) applied, ${r.conflicts.length} clash(es) resolved; the previous database is backed up. p on Sync pushes the result.`,
      };
    });
  }

  // ---- backups and snapshots (issue 5) ----
  async listBackups(): Promise<RestorePoint[]> {
    const { listBackups, backupRowCounts } = await import('../sync/snapshot/backups.js');
    const device = this.lib.device().name;
    return listBackups(this.lib.paths, this.lib.state)
      .reverse()
      .map((b) => ({ id: b.id, kind: 'backup' as const, createdAt: b.createdAt, device, note: b.reason, counts: countsOf(backupRowCounts(b)) }));
  }
  async listSnapshots(): Promise<RestorePoint[]> {
    const { loadHistory } = await import('../sync/snapshot/manifest-store.js');
    const { getBase } = await import('../sync/snapshot/sync-state.js');
    const history = await loadHistory(await this.withRemote(), this.lib.state, { allowMissingParents: true });
    const base = getBase(this.lib.state)?.snapshotId ?? null;
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
  async restore(point: RestorePoint): Promise<string> {
    const { restoreBackup, restoreSnapshot } = await import('../sync/snapshot/restore.js');
    const remote = point.kind === 'snapshot' ? await this.withRemote() : undefined;
    return this.exclusive('Restoring', async () => {
      if (point.kind === 'backup') {
        const r = await restoreBackup(this.lib, point.id);
        return `Restored backup ${r.restored.id.slice(0, 8)} (${r.restored.reason}); backup ${r.backup.id.slice(0, 8)} holds the previous database`;
      }
      const r = await restoreSnapshot(this.lib, remote!, point.id);
      return `Restored snapshot ${r.snapshot.id.slice(0, 8)} by ${r.snapshot.device.name}; backup ${r.backup.id.slice(0, 8)} holds the previous database`;
    });
  }

  // ---- settings ----
  async settings(): Promise<Settings> {
    const device = this.lib.device();
    // Loaded on demand: the remote modules pull in OpenDAL's native addon, which the first frame does not need.
    const { loadRemoteConfig } = await import('../sync/remote/remote-config.js');
    const { describeRemote, redactOptions } = await import('../sync/remote/opendal-remote.js');
    const cfg = loadRemoteConfig(this.lib);
    return {
      library: this.lib.paths.dir,
      deviceId: device.id,
      deviceName: device.name,
      remote: cfg ? { description: describeRemote(cfg), options: redactOptions(cfg.options) } : null,
      concurrency: configuredConcurrency(this.lib),
    };
  }

  async setDeviceName(name: string): Promise<void> {
    this.lib.setDeviceName(name);
  }

  async setConcurrency(n: number): Promise<void> {
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new TroveError('BAD_INPUT', `concurrency must be a whole number from 1 to 64, not ${JSON.stringify(n)}`);
    this.lib.setSetting(CONCURRENCY_SETTING, String(n));
  }

  close(): void {
    this.transferSession?.setPaused(true);
    this.lib.close();
  }
}
