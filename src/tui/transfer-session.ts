// The TUI's transfer queue: downloads (state.db's download_queue, run by runDownloads) and uploads
// (file_sync_log's pending uploads, run by runUploads), driven in the background while the UI stays
// responsive, with the ProgressTracker event streams folded into the Transfers screen's snapshot. One
// run per direction at a time; whatever is requested during a run is taken up by the next run, so `d`
// on three releases in a row downloads all three.
//
// Pause: p-queue has no "pause the items already handed to a worker", and cutting a download mid-body
// would throw away its bytes. So pause means: stop taking new items — items in flight finish (and are
// verified and committed), the others wait in the worker's `beforeItem` gate until resume. This is
// what rclone's and most download managers' "pause" amounts to for a file that is already streaming.
//
// Quitting (stop): no new item starts, the items in flight finish and their bookkeeping commits
// before the session reports idle — the library must not be closed under a run, or blobs land in
// the store unrecorded. `stop('abort')` also cuts the downloads in flight (they stay queued); an
// upload's PUT cannot be cut here and finishes (the next upload run stats what it is unsure of).
import type { Library } from '../store/library.js';
import { sha1OfBlobKey } from '../store/blob/blob-key.js';
import { TroveError } from '../store/errors.js';
import { fileLabels } from '../store/repo/catalog-queries.js';
import type { Remote } from '../sync/remote/remote.js';
import { planDownloadsChecked } from '../sync/transfer/download-probe.js';
import { cancelQueuedDownloads } from '../sync/transfer/download-cancel.js';
import { enqueueDownloads, queuedDownloads } from '../sync/transfer/download-queue.js';
import { configuredConcurrency } from '../sync/transfer/transfer-options.js';
import { countUnavailable } from '../sync/transfer/unavailable-words.js';
import { runDownloads } from '../sync/transfer/download-worker.js';
import type { ProgressEvent } from '../sync/transfer/progress.js';
import { pendingUploads, queueUntrackedLocalBlobs, requeueFailedUploads } from '../sync/transfer/sync-log.js';
import { targetFiles, type TargetFilter } from '../sync/transfer/transfer-targets.js';
import { runUploads } from '../sync/transfer/upload-worker.js';
import type { QueuedResult, TransferItem, TransferSnapshot } from './services.js';

export interface TransferSessionDeps {
  lib: () => Library;
  remote: () => Remote;
  /** Every change to the snapshot (throttled by the tracker for byte progress). */
  onChange: (s: TransferSnapshot) => void;
  /** A blob landed here or on the remote: availability badges are stale. */
  onLocal: () => void;
}

interface Entry extends TransferItem {
  type: string;
  /** Handed to the worker (past the pause gate); shown `active` only once its bytes move. */
  started?: boolean;
}

/** Thrown by the pause gate into an upload run that is being stopped: the item is not started. */
const STOPPING = new Error('transfers stopping: the app is quitting');

export type { QueuedResult };

export interface UploadQueuedResult {
  queued: number;
  /** Pending uploads whose blob is on another device (that device uploads them). */
  notHere: number;
}

/** Upload entries share the map with downloads: their ids carry the direction. */
const UPLOAD_ID = 'upload:';

/** One background run of a worker, re-run while requests arrive during it. */
class RunLoop {
  private running: Promise<void> | undefined;
  private again = false;
  rate = 0;
  eta: number | null = null;

  constructor(
    private readonly once: () => Promise<void>,
    private readonly settled: () => void,
    private readonly stopping: () => boolean = () => false,
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  kick(): void {
    if (this.stopping()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      this.rate = 0;
      this.eta = null;
      this.settled();
    });
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.once();
    } while (this.again && !this.stopping());
  }
}

export class TransferSession {
  private readonly entries = new Map<string, Entry>();
  private paused = false;
  private waiters: (() => void)[] = [];
  private readonly stopRuns = new AbortController();
  private readonly abortRuns = new AbortController();
  /** Aborted by cancelQueued: the download run going takes no new item (see cancelQueued). */
  private cancelRun = new AbortController();
  private cancelling = false;
  /** Remote sizes the requests' probes learned (planDownloadsChecked), for the next download run. */
  private readonly knownSizes = new Map<string, number>();
  private readonly downloads = new RunLoop(() => this.runDownloadsOnce(), () => this.emit(), () => this.stopping || this.cancelling);
  private readonly uploads = new RunLoop(() => this.runUploadsOnce(), () => this.emit(), () => this.stopping);

  constructor(private readonly deps: TransferSessionDeps) {}

  /** A run is going in either direction (both read and write the library's databases). */
  get busy(): boolean {
    return this.downloads.busy || this.uploads.busy;
  }

  get stopping(): boolean {
    return this.stopRuns.signal.aborted;
  }

  /** Items handed to a worker and not finished: what quitting waits for. */
  get inFlight(): number {
    return [...this.entries.values()].filter((e) => e.started && (e.state === 'queued' || e.state === 'active')).length;
  }

  /**
   * Quitting: start nothing new (paused items are let go and not started), let the items in flight
   * finish — `abort` cuts the downloads among them — and resolve once every run has committed its
   * bookkeeping. Unstarted items stay queued in state.db for the next run. Idempotent; `abort`
   * after `finish` escalates.
   */
  async stop(mode: 'finish' | 'abort' = 'finish'): Promise<void> {
    this.stopRuns.abort();
    if (mode === 'abort') this.abortRuns.abort();
    for (const w of this.waiters.splice(0)) w();
    this.emit();
    await this.idle();
  }

  /**
   * Queue the files of a release / file set / system that can be downloaded, and start — planned as
   * `trove download` plans (planDownloadsChecked): files the log does not call uploaded but some
   * device held are looked up on the remote (another device may have uploaded them since the last
   * pull) and queued when there. Files that are nowhere are counted by reason, not queued: an item
   * that can only fail does not go on the Transfers screen (QA2 F5.1: it showed as FAILED and
   * counted as a failure there while `trove status`, reading download_queue, said 0 failed). The
   * caller says so at once, as `trove download` reports them without queueing them.
   */
  async request(filter: TargetFilter, label: string): Promise<QueuedResult> {
    this.refuseWhileStopping();
    const lib = this.deps.lib();
    const remote = this.deps.remote(); // fails here (no remote configured, bad options) rather than in the background
    const plan = await planDownloadsChecked(lib, remote, targetFiles(lib.db, filter), configuredConcurrency(lib));
    this.refuseWhileStopping(); // the probe took a while: the app may be quitting, or a cancel running
    for (const [sha1, n] of plan.sizes) this.knownSizes.set(sha1, n);
    enqueueDownloads(lib.state, plan.fetch);
    for (const f of plan.fetch) this.upsert(f.sha1, { label: `${label} · ${f.type} ${f.sha1.slice(0, 8)}`, type: f.type, bytesTotal: f.size, state: 'queued', error: undefined, bytesDone: 0 });
    this.emit();
    if (plan.fetch.length) this.downloads.kick();
    return { queued: plan.fetch.length, alreadyLocal: plan.alreadyLocal, unavailable: plan.unavailable.length, unavailableWhy: countUnavailable(plan.unavailable) };
  }

  /**
   * Forget every queued download, as `trove download --cancel` does (download-cancel.ts, the same
   * lock): a download run going here is stopped first the way the first ctrl+c stops one — no new
   * item starts, the items in flight finish and are recorded — and then the queue is emptied. A
   * download run in another process holds download.lock: refused with BUSY, nothing changed.
   * Uploads are not touched. Resolves to how many queued downloads were cancelled.
   */
  async cancelQueued(): Promise<number> {
    this.refuseWhileStopping();
    this.cancelling = true;
    try {
      this.cancelRun.abort();
      for (const w of this.waiters.splice(0)) w(); // paused download items give up; paused uploads wait again
      this.emit();
      await this.downloads.idle();
      const n = cancelQueuedDownloads(this.deps.lib(), 'cancel queued downloads');
      for (const [id, e] of this.entries) {
        if (e.direction === 'download' && e.state !== 'done') this.entries.delete(id);
      }
      return n;
    } finally {
      this.cancelRun = new AbortController();
      this.cancelling = false;
      this.emit();
    }
  }

  /**
   * Upload every blob this device holds that the remote lacks (pending in file_sync_log, failed
   * uploads again, local blobs never tracked), as `trove upload` does, and start.
   */
  requestUploads(): UploadQueuedResult {
    this.refuseWhileStopping();
    const lib = this.deps.lib();
    this.deps.remote();
    lib.db.transaction(() => {
      requeueFailedUploads(lib.db);
      queueUntrackedLocalBlobs(lib.db);
    })();
    const { ready, notHere } = pendingUploads(lib.db);
    const labels = fileLabels(lib.db, ready.map((c) => c.sha1));
    for (const c of ready) {
      this.upsert(UPLOAD_ID + c.sha1, {
        direction: 'upload',
        label: labels.get(c.sha1) ?? `${c.type} ${c.sha1.slice(0, 8)}`,
        type: c.type,
        bytesTotal: c.storedBytes,
        state: 'queued',
        error: undefined,
        bytesDone: 0,
      });
    }
    this.emit();
    if (ready.length) this.uploads.kick();
    return { queued: ready.length, notHere };
  }

  retry(id: string): void {
    this.refuseWhileStopping();
    const e = this.entries.get(id);
    if (!e || e.state !== 'failed') throw new TroveError('NOT_FOUND', `no failed transfer ${id}`);
    Object.assign(e, { state: 'queued', error: undefined, bytesDone: 0, started: false });
    if (e.direction === 'upload') {
      // An upload run takes failed uploads up again by itself.
      this.emit();
      return this.uploads.kick();
    }
    enqueueDownloads(this.deps.lib().state, [{ sha1: id, type: e.type, size: e.bytesTotal }]);
    this.emit();
    this.downloads.kick();
  }

  private refuseWhileStopping(): void {
    if (this.stopping) throw new TroveError('BUSY', 'transfers are stopping (the app is quitting)');
    if (this.cancelling) throw new TroveError('BUSY', 'the queued downloads are being cancelled; try again in a moment');
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) for (const w of this.waiters.splice(0)) w();
    this.emit();
  }

  /** Resolves when no run is going (a restore or merge must not swap the database under a transfer). */
  async idle(): Promise<void> {
    while (this.busy) await Promise.all([this.downloads.idle(), this.uploads.idle()]);
  }

  snapshot(): TransferSnapshot {
    const items = [...this.entries.values()].map(({ type: _t, started, ...i }) => ({
      ...i,
      state: this.paused && i.state === 'queued' && !started ? ('paused' as const) : i.state,
    }));
    const finished = items.filter((i) => i.state === 'done' || i.state === 'failed');
    return {
      items,
      paused: this.paused,
      filesDone: finished.length,
      filesTotal: items.length,
      bytesDone: items.reduce((a, i) => a + i.bytesDone, 0),
      bytesTotal: items.reduce((a, i) => a + i.bytesTotal, 0),
      bytesPerSecond: this.downloads.rate + this.uploads.rate,
      etaSeconds: this.downloads.eta === null && this.uploads.eta === null ? null : Math.max(this.downloads.eta ?? 0, this.uploads.eta ?? 0),
    };
  }

  private upsert(sha1: string, e: Partial<Entry>): void {
    const old = this.entries.get(sha1);
    if (old && (old.state === 'active' || old.started || (old.state === 'queued' && e.state === 'failed'))) return;
    this.entries.set(sha1, { id: sha1, direction: 'download', label: sha1, type: 'rom', bytesDone: 0, bytesTotal: 0, state: 'queued', ...old, ...e } as Entry);
  }

  private emit(): void {
    this.deps.onChange(this.snapshot());
  }

  /**
   * Waits while paused: no new item starts while paused. When the session stops, the item is not
   * started (a download run checks its stop signal next; an upload run is told by STOPPING).
   * The item shows `active` once its first bytes move (onEvent), not when the worker takes it:
   * a worker takes up to twice its concurrency ahead, and those wait for a network slot.
   */
  private gate(idOf: (sha1: string) => string, onStop: 'return' | 'throw', cancelled: () => boolean = () => false) {
    return async (key: string) => {
      while (this.paused && !this.stopping && !cancelled()) await new Promise<void>((r) => this.waiters.push(r));
      if (this.stopping || cancelled()) {
        if (onStop === 'throw') throw STOPPING;
        return;
      }
      const e = this.entries.get(idOf(sha1OfBlobKey(key) ?? ''));
      if (e) e.started = true;
      this.emit();
    };
  }

  private async runDownloadsOnce(): Promise<void> {
    const lib = this.deps.lib();
    for (const q of queuedDownloads(lib.state)) this.upsert(q.sha1, { type: q.type, bytesTotal: q.size });
    const cancel = this.cancelRun.signal;
    try {
      await runDownloads(lib, this.deps.remote(), {
        beforeItem: this.gate((h) => h, 'return', () => cancel.aborted),
        onProgress: (ev) => this.onEvent(ev, this.downloads, (h) => h),
        knownSizes: this.knownSizes,
        stop: AbortSignal.any([this.stopRuns.signal, cancel]),
        abort: this.abortRuns.signal,
      });
    } catch (err) {
      this.failUnfinished('download', err);
    }
  }

  private async runUploadsOnce(): Promise<void> {
    const idOf = (sha1: string) => UPLOAD_ID + sha1;
    try {
      const r = await runUploads(this.deps.lib(), this.deps.remote(), { beforeItem: this.gate(idOf, 'throw'), onProgress: (ev) => this.onEvent(ev, this.uploads, idOf) });
      if (r.stoppedBy) this.failUnfinished('upload', new Error(r.stoppedBy.message));
    } catch (err) {
      // Stopped on purpose: what did not start stays UploadPending for the next run.
      if (err !== STOPPING) this.failUnfinished('upload', err);
    }
  }

  /** The run as a whole failed (no space, the remote unreachable): every unfinished item says why. */
  private failUnfinished(direction: TransferItem['direction'], err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    for (const e of this.entries.values()) {
      if (e.direction === direction && (e.state === 'queued' || e.state === 'active')) Object.assign(e, { state: 'failed', error: message });
    }
  }

  private onEvent(ev: ProgressEvent, run: RunLoop, idOf: (sha1: string) => string): void {
    run.rate = ev.rateBytesPerSec;
    run.eta = ev.etaSeconds;
    for (const f of ev.inFlight) {
      const e = this.entries.get(idOf(sha1OfBlobKey(f.item) ?? ''));
      if (!e || (e.state !== 'active' && e.state !== 'queued')) continue;
      e.bytesDone = Math.min(f.bytes, e.bytesTotal);
      if (f.bytes > 0) e.state = 'active';
    }
    if (ev.type === 'item') {
      const e = this.entries.get(idOf(ev.sha1));
      if (e) {
        if (ev.outcome === 'failed') Object.assign(e, { state: 'failed', error: ev.reason ?? ev.code ?? 'failed' });
        else Object.assign(e, { state: 'done', bytesDone: e.bytesTotal, error: undefined });
      }
      // A download that landed changes availability (local); an upload too (now on the remote).
      if (ev.outcome !== 'failed') this.deps.onLocal();
    }
    if (ev.type === 'retry') {
      const e = this.entries.get(idOf(ev.sha1));
      if (e) e.error = `retrying (attempt ${ev.attempt + 1}): ${ev.reason}`;
    }
    this.emit();
  }
}
