// Everything the TUI reads or does goes through this one interface, so that screens and hooks never
// touch SQLite or OpenDAL and can be driven in tests by any implementation. Types are plain data.
// The real implementation is store-services.ts; a TroveError it throws (NOT_AVAILABLE included) is
// shown on the message line.
import type { Availability } from '../store/availability.js';
import type { UnavailableCounts } from '../sync/transfer/unavailable-words.js';

export type { Availability };
export type AvailabilityFilter = 'all' | 'local' | 'cloud' | 'missing';
export type ReleaseSort = 'name' | 'size';

export interface SystemItem {
  id: string;
  name: string;
  releases: number;
}

export interface ReleaseQuery {
  systemId: string;
  search: string;
  filter: AvailabilityFilter;
  sort: ReleaseSort;
}

export interface ReleaseItem {
  id: string;
  name: string;
  title: string | null;
  region: string | null;
  system: string;
  availability: Availability;
  fileSets: number;
  files: number;
  bytes: number;
  /** Files present on this device / on the remote / on both (for the drop confirmation). */
  local: number;
  cloud: number;
  synchronized: number;
}

export interface FileSetItem {
  id: string;
  name: string;
  type: string;
  release: string;
  availability: Availability;
  files: number;
  bytes: number;
  local: number;
  synchronized: number;
}

export interface FileItem {
  sha1: string;
  name: string;
  size: number;
  availability: Availability;
}

/** What d / x / e act on. */
export interface ActionTarget {
  kind: 'release' | 'file_set';
  id: string;
  label: string;
}

export interface ExportResult {
  files: number;
  dir: string;
}

/** What a download request did: files queued, already on this device, and neither here nor on the remote. */
export interface QueuedResult {
  queued: number;
  alreadyLocal: number;
  /** Not queued: there is nothing to download them from. */
  unavailable: number;
  /** `unavailable` by reason, as `trove download` counts them (absent: not known). */
  unavailableWhy?: UnavailableCounts;
}

export interface DropResult {
  dropped: number;
  kept: number;
  bytesFreed: number;
}

// ---- transfers (issue 4) ----
export type TransferState = 'queued' | 'active' | 'done' | 'failed' | 'paused';

export interface TransferItem {
  id: string;
  label: string;
  direction: 'download' | 'upload';
  state: TransferState;
  bytesDone: number;
  bytesTotal: number;
  /** Why it failed, for a person (no credentials). */
  error?: string;
}

export interface TransferSnapshot {
  items: TransferItem[];
  paused: boolean;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
}

// ---- sync (issue 5) ----
export interface SyncStatus {
  device: { id: string; name: string };
  remote: string | null;
  base: string | null;
  heads: { id: string; device: string; createdAt: string }[];
  ahead: number;
  behind: number;
  /** Local changes since the base, per entity ("release": 3). */
  localChanges: Record<string, number>;
  conflict: boolean;
  pendingMerge: boolean;
  /** Objects under this device id on the remote that another library wrote (a copied library folder). */
  sharedDeviceId?: number;
}

/** How a pull settles a conflict: take the remote (after a backup), or keep this device's and push it. */
/** cloud: take the remote (backup first); local: keep yours and push it; merge: plan a three-way merge, pending. */
export type PullResolution = 'cloud' | 'local' | 'merge';

export interface SyncResult {
  /** merge-pending: a three-way merge was planned and waits in the merge viewer (nothing applied yet). */
  outcome: 'pushed' | 'pulled' | 'up-to-date' | 'conflict' | 'merge-pending';
  message: string;
}

// ---- diff and merge (issue 6) ----
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface EntityChange {
  entity: string;
  change: 'added' | 'removed' | 'modified';
  /** For people: "Nintendo - SNES › ActRaiser (USA)". */
  label: string;
  fields: FieldChange[];
}

export interface DiffReport {
  from: string;
  to: string;
  changes: EntityChange[];
}

export type MergeSide = 'local' | 'cloud';

export interface MergeClash {
  id: string;
  entity: string;
  label: string;
  field: string;
  base: string | null;
  local: string | null;
  cloud: string | null;
  /** The stated default (later updated_at wins, device id breaks ties, an edit beats a delete). */
  defaultSide: MergeSide;
  /** What will be applied: the default until someone picks. */
  chosen: MergeSide;
}

export interface PendingMerge {
  base: string;
  head: string;
  clashes: MergeClash[];
  /** Changes that merge without a clash (NaN: only known when the merge is applied). */
  cleanChanges: number;
}

// ---- backups and snapshots (issue 5) ----
export interface Counts {
  systems: number;
  releases: number;
  fileSets: number;
  files: number;
}

export interface RestorePoint {
  id: string;
  kind: 'backup' | 'snapshot';
  createdAt: string;
  device: string;
  /** Why it was taken (backups: "before pull"), or the snapshot's role ("head", "base"). */
  note: string;
  counts: Counts;
}

export interface Settings {
  library: string;
  deviceId: string;
  deviceName: string;
  /** Where the remote points, or null. Option values with credentials are masked. */
  remote: { description: string; options: Record<string, string> } | null;
  concurrency: number;
}

export interface TroveServices {
  // browsing (works today)
  listSystems(): Promise<SystemItem[]>;
  countReleases(q: ReleaseQuery): Promise<number>;
  listReleases(q: ReleaseQuery, offset: number, limit: number): Promise<ReleaseItem[]>;
  listFileSets(releaseId: string): Promise<FileSetItem[]>;
  listFiles(fileSetId: string): Promise<FileItem[]>;
  catalogCounts(): Promise<Counts>;
  exportTarget(target: ActionTarget, dir: string): Promise<ExportResult>;
  /** Called after anything that changes what lists show (a download finished, a drop, a restore). */
  onCatalogChange(listener: () => void): () => void;

  // transfers
  /** Queue what can be downloaded; say what was queued, already here, and available nowhere. */
  download(target: ActionTarget): Promise<QueuedResult>;
  downloadAll(systemId: string): Promise<QueuedResult>;
  drop(target: ActionTarget): Promise<DropResult>;
  transfers(): Promise<TransferSnapshot>;
  onTransfers(listener: (s: TransferSnapshot) => void): () => void;
  retryTransfer(id: string): Promise<void>;
  /**
   * Forget every queued download (as `trove download --cancel`): a download run going here stops
   * taking new items (those in flight finish and are recorded), then the queue is emptied. Refused
   * (BUSY) while a download runs in another process. Resolves to how many were cancelled.
   */
  cancelQueuedDownloads(): Promise<number>;
  /** Upload what this device holds that the remote lacks (pending, failed before, never tracked). */
  uploadPending(): Promise<{ queued: number; notHere: number }>;
  setTransfersPaused(paused: boolean): Promise<void>;
  /**
   * Quitting: start no new transfer; `finish` lets those in flight finish, `abort` cuts the
   * downloads among them (they stay queued). Resolves once nothing runs and what finished is
   * recorded — only then may the library be closed.
   */
  stopTransfers(mode: 'finish' | 'abort'): Promise<void>;

  // sync
  syncStatus(): Promise<SyncStatus>;
  push(): Promise<SyncResult>;
  pull(resolve?: PullResolution): Promise<SyncResult>;

  // diff and merge
  diff(from: string, to: string): Promise<DiffReport>;
  pendingMerge(): Promise<PendingMerge | null>;
  resolveClash(id: string, side: MergeSide): Promise<void>;
  applyMerge(): Promise<SyncResult>;

  // backups and snapshots
  listBackups(): Promise<RestorePoint[]>;
  listSnapshots(): Promise<RestorePoint[]>;
  restore(point: RestorePoint): Promise<string>;

  // settings
  settings(): Promise<Settings>;
  setDeviceName(name: string): Promise<void>;
  setConcurrency(n: number): Promise<void>;

  close(): void;
}
