// TroveServices over a real library: the store's catalogue queries and export today; transfers,
// sync, diff/merge and backups are marked NOT_AVAILABLE(issue N) until their branches are merged.
import { exportTarget as storeExport } from '../store/export.js';
import type { Library } from '../store/library.js';
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
import { TroveError } from '../store/errors.js';
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
import { notAvailable } from './not-available.js';
import { pagingModeFor, releaseQueryKey } from './state/release-paging.js';

/** The device-local setting the transfer queue reads its concurrency from (state.db `setting`). */
export const CONCURRENCY_SETTING = 'transfers.concurrency';
export const DEFAULT_CONCURRENCY = 8;

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

  constructor(private readonly lib: Library) {}

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

  // ---- transfers: NOT_AVAILABLE(issue 4) until the transfers branch is merged ----
  async download(_target: ActionTarget): Promise<void> {
    notAvailable('Downloading');
  }
  async downloadAll(_systemId: string): Promise<void> {
    notAvailable('Download-all');
  }
  async drop(_target: ActionTarget): Promise<DropResult> {
    notAvailable('Dropping local copies');
  }
  async transfers(): Promise<TransferSnapshot> {
    notAvailable('The transfer queue');
  }
  onTransfers(_listener: (s: TransferSnapshot) => void): () => void {
    return () => undefined; // NOT_AVAILABLE(issue 4): no queue, so no events.
  }
  async retryTransfer(_id: string): Promise<void> {
    notAvailable('Retrying a transfer');
  }
  async setTransfersPaused(_paused: boolean): Promise<void> {
    notAvailable('Pausing transfers');
  }

  // ---- sync: NOT_AVAILABLE(issue 5) ----
  async syncStatus(): Promise<SyncStatus> {
    notAvailable('Sync status');
  }
  async push(): Promise<SyncResult> {
    notAvailable('Push');
  }
  async pull(): Promise<SyncResult> {
    notAvailable('Pull');
  }

  // ---- diff and merge: NOT_AVAILABLE(issue 6) ----
  async diff(_from: string, _to: string): Promise<DiffReport> {
    notAvailable('The diff viewer');
  }
  async pendingMerge(): Promise<PendingMerge | null> {
    notAvailable('Merging');
  }
  async resolveClash(_id: string, _side: MergeSide): Promise<void> {
    notAvailable('Resolving a clash');
  }
  async applyMerge(): Promise<SyncResult> {
    notAvailable('Applying a merge');
  }

  // ---- backups and snapshots: NOT_AVAILABLE(issue 5) ----
  async listBackups(): Promise<RestorePoint[]> {
    notAvailable('Backups');
  }
  async listSnapshots(): Promise<RestorePoint[]> {
    notAvailable('Snapshots');
  }
  async restore(_point: RestorePoint): Promise<string> {
    notAvailable('Restoring');
  }

  // ---- settings ----
  async settings(): Promise<Settings> {
    const device = this.lib.device();
    // Loaded on demand: the remote modules pull in OpenDAL's native addon, which the first frame does not need.
    const { loadRemoteConfig } = await import('../sync/remote/remote-config.js');
    const { describeRemote, redactOptions } = await import('../sync/remote/opendal-remote.js');
    const cfg = loadRemoteConfig(this.lib);
    const raw = Number(this.lib.getSetting(CONCURRENCY_SETTING));
    return {
      library: this.lib.paths.dir,
      deviceId: device.id,
      deviceName: device.name,
      remote: cfg ? { description: describeRemote(cfg), options: redactOptions(cfg.options) } : null,
      concurrency: Number.isInteger(raw) && raw > 0 ? raw : DEFAULT_CONCURRENCY,
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
    this.lib.close();
  }
}
