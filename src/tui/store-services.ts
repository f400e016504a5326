// TroveServices over a real library: the store's catalogue queries and export, the transfer queue
// (src/sync/transfer) and settings here; snapshot sync, backups and restores, the diff engine and the
// pending merge in history-services.ts. Modules that load OpenDAL's native addon or the sync
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
import type { Remote } from '../sync/remote/remote.js';
import { planDrop } from '../sync/transfer/drop-plan.js';
import { runDrop } from '../sync/transfer/drop-worker.js';
import { CONCURRENCY_SETTING, configuredConcurrency } from '../sync/transfer/transfer-options.js';
import { targetFiles, type TargetFilter } from '../sync/transfer/transfer-targets.js';
import type {
  ActionTarget,
  Counts,
  DropResult,
  ExportResult,
  FileItem,
  FileSetItem,
  MergeSide,
  PullResolution,
  QueuedResult,
  ReleaseItem,
  ReleaseQuery,
  RestorePoint,
  Settings,
  SystemItem,
  TransferSnapshot,
  TroveServices,
} from './services.js';
import * as history from './history-services.js';
import { pagingModeFor, releaseQueryKey } from './state/release-paging.js';
import { TransferSession } from './transfer-session.js';

/** One key: the transfer workers read the same setting (src/sync/transfer/transfer-options.ts). */
export { CONCURRENCY_SETTING };

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

  private readonly host: history.HistoryHost = {
    lib: () => this.lib,
    withRemote: () => this.withRemote(),
    exclusive: (what, op) => this.exclusive(what, op),
  };

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

  async download(target: ActionTarget): Promise<QueuedResult> {
    await this.withRemote();
    return this.session().request(this.filterFor(target), target.label);
  }
  async downloadAll(systemId: string): Promise<QueuedResult> {
    await this.withRemote();
    const name = (await this.listSystems()).find((s) => s.id === systemId)?.name ?? systemId;
    return this.session().request({ systemId }, name);
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
  async uploadPending(): Promise<{ queued: number; notHere: number }> {
    await this.withRemote();
    return this.session().requestUploads();
  }
  async retryTransfer(id: string): Promise<void> {
    await this.withRemote();
    this.session().retry(id);
  }
  async cancelQueuedDownloads(): Promise<number> {
    return this.session().cancelQueued();
  }
  async setTransfersPaused(paused: boolean): Promise<void> {
    this.session().setPaused(paused);
  }
  async stopTransfers(mode: 'finish' | 'abort'): Promise<void> {
    await this.transferSession?.stop(mode);
  }

  /** Restores, pulls and merges swap collection.db: never under a running download or upload. */
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

  // ---- sync, diff and merge, backups and snapshots (history-services.ts) ----
  syncStatus() {
    return history.syncStatus(this.host);
  }
  push() {
    return history.push(this.host);
  }
  pull(resolve?: PullResolution) {
    return history.pull(this.host, resolve);
  }
  diff(from: string, to: string) {
    return history.diff(this.host, from, to);
  }
  pendingMerge() {
    return history.pendingMerge(this.host);
  }
  resolveClash(id: string, side: MergeSide) {
    return history.resolveClash(this.host, id, side);
  }
  applyMerge() {
    return history.applyMerge(this.host);
  }
  listBackups() {
    return history.listBackups(this.host);
  }
  listSnapshots() {
    return history.listSnapshots(this.host);
  }
  restore(point: RestorePoint) {
    return history.restore(this.host, point);
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
      remote: cfg ? { description: describeRemote(cfg), options: redactOptions(cfg) } : null,
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
