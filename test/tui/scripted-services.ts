// TroveServices for screens whose capability lives on another branch (transfers, sync, merge,
// backups): plain in-memory state that the test scripts, so the screens can be driven and read.
// Browsing is delegated to a real StoreServices when one is given.
import { TroveError } from '../../src/store/errors.js';
import type {
  ActionTarget, Counts, DiffReport, DropResult, ExportResult, FileItem, FileSetItem, MergeSide, PendingMerge, QueuedResult, ReleaseItem,
  ReleaseQuery, RestorePoint, Settings, SyncResult, SyncStatus, SystemItem, TransferSnapshot, TroveServices,
} from '../../src/tui/services.js';

const none = (what: string) => new TroveError('NOT_AVAILABLE', `${what} is not scripted`);

export class ScriptedServices implements TroveServices {
  transferState?: TransferSnapshot;
  status?: SyncStatus;
  pullResult?: SyncResult;
  merge?: PendingMerge | null;
  report?: DiffReport;
  backups: RestorePoint[] = [];
  snapshots: RestorePoint[] = [];
  counts: Counts = { systems: 0, releases: 0, fileSets: 0, files: 0 };
  calls: string[] = [];
  private transferListeners = new Set<(s: TransferSnapshot) => void>();
  private catalogListeners = new Set<() => void>();

  constructor(private readonly browse?: TroveServices) {}

  emitTransfers(s: TransferSnapshot): void {
    this.transferState = s;
    for (const l of this.transferListeners) l(s);
  }
  emitCatalogChange(): void {
    for (const l of this.catalogListeners) l();
  }

  listSystems(): Promise<SystemItem[]> { return this.browse ? this.browse.listSystems() : Promise.resolve([]); }
  countReleases(q: ReleaseQuery): Promise<number> { return this.browse!.countReleases(q); }
  listReleases(q: ReleaseQuery, o: number, l: number): Promise<ReleaseItem[]> { return this.browse!.listReleases(q, o, l); }
  listFileSets(id: string): Promise<FileSetItem[]> { return this.browse!.listFileSets(id); }
  listFiles(id: string): Promise<FileItem[]> { return this.browse!.listFiles(id); }
  async catalogCounts(): Promise<Counts> { return this.counts; }
  exportTarget(t: ActionTarget, dir: string): Promise<ExportResult> { return this.browse!.exportTarget(t, dir); }
  onCatalogChange(l: () => void): () => void { this.catalogListeners.add(l); return () => this.catalogListeners.delete(l); }

  /** What the next download request reports. */
  queued: QueuedResult = { queued: 1, alreadyLocal: 0, unavailable: 0 };
  async download(t: ActionTarget): Promise<QueuedResult> { this.calls.push(`download ${t.kind} ${t.label}`); return this.queued; }
  async downloadAll(systemId: string): Promise<QueuedResult> { this.calls.push(`downloadAll ${systemId}`); return this.queued; }
  async drop(t: ActionTarget): Promise<DropResult> { this.calls.push(`drop ${t.label}`); return { dropped: 1, kept: 0, bytesFreed: 1024 }; }
  async transfers(): Promise<TransferSnapshot> { if (!this.transferState) throw none('transfers'); return this.transferState; }
  onTransfers(l: (s: TransferSnapshot) => void): () => void { this.transferListeners.add(l); return () => this.transferListeners.delete(l); }
  async retryTransfer(id: string): Promise<void> { this.calls.push(`retry ${id}`); }
  /** What the next cancel of the queued downloads reports. */
  cancelled = 0;
  async cancelQueuedDownloads(): Promise<number> { this.calls.push('cancel queued downloads'); return this.cancelled; }
  async uploadPending(): Promise<{ queued: number; notHere: number }> { this.calls.push('upload'); return { queued: 0, notHere: 0 }; }
  async setTransfersPaused(p: boolean): Promise<void> { this.calls.push(`paused ${p}`); }
  /** Resolves when the test calls `transfersStopped()` (quitting waits for it). */
  stopWaits = false;
  private stopped: (() => void)[] = [];
  async stopTransfers(mode: 'finish' | 'abort'): Promise<void> {
    this.calls.push(`stop ${mode}`);
    if (this.stopWaits) await new Promise<void>((r) => this.stopped.push(r));
  }
  transfersStopped(): void { for (const r of this.stopped.splice(0)) r(); }

  async syncStatus(): Promise<SyncStatus> { if (!this.status) throw none('sync'); return this.status; }
  async push(): Promise<SyncResult> { this.calls.push('push'); return { outcome: 'pushed', message: 'Pushed snapshot 0190ffff (fast-forward)' }; }
  async pull(resolve?: 'cloud' | 'local' | 'merge'): Promise<SyncResult> { this.calls.push(resolve ? `pull ${resolve}` : 'pull'); return this.pullResult ?? { outcome: 'up-to-date', message: 'Already up to date' }; }

  async diff(): Promise<DiffReport> { if (!this.report) throw none('diff'); return this.report; }
  async pendingMerge(): Promise<PendingMerge | null> { if (this.merge === undefined) throw none('merge'); return this.merge; }
  async resolveClash(id: string, side: MergeSide): Promise<void> {
    this.calls.push(`resolve ${id} ${side}`);
    if (this.merge) this.merge = { ...this.merge, clashes: this.merge.clashes.map((c) => (c.id === id ? { ...c, chosen: side } : c)) };
  }
  async applyMerge(): Promise<SyncResult> { this.calls.push('apply'); return { outcome: 'pushed', message: 'Merged and pushed snapshot 0190eeee (two parents)' }; }

  async listBackups(): Promise<RestorePoint[]> { return this.backups; }
  async listSnapshots(): Promise<RestorePoint[]> { return this.snapshots; }
  async restore(p: RestorePoint): Promise<string> { this.calls.push(`restore ${p.kind} ${p.id}`); return `Restored ${p.kind} ${p.id.slice(0, 8)}`; }

  async settings(): Promise<Settings> { if (!this.browse) throw none('settings'); return this.browse.settings(); }
  setDeviceName(n: string): Promise<void> { return this.browse!.setDeviceName(n); }
  setConcurrency(n: number): Promise<void> { return this.browse!.setConcurrency(n); }
  close(): void { this.browse?.close(); }
}
