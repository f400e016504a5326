// The TUI's download queue: the real one (state.db's download_queue, run by runDownloads), driven in
// the background while the UI stays responsive, with the ProgressTracker event stream folded into the
// Transfers screen's snapshot. One run at a time; whatever is requested during a run is taken up by
// the next run, so `d` on three releases in a row downloads all three.
//
// Pause: p-queue has no "pause the items already handed to a worker", and cutting a download mid-body
// would throw away its bytes. So pause means: stop taking new items — items in flight finish (and are
// verified and committed), the others wait in the worker's `beforeItem` gate until resume. This is
// what rclone's and most download managers' "pause" amounts to for a file that is already streaming.
import type { Library } from '../store/library.js';
import { TroveError } from '../store/errors.js';
import type { Remote } from '../sync/remote/remote.js';
import { planDownloads } from '../sync/transfer/download-plan.js';
import { enqueueDownloads, queuedDownloads } from '../sync/transfer/download-queue.js';
import { runDownloads } from '../sync/transfer/download-worker.js';
import type { ProgressEvent } from '../sync/transfer/progress.js';
import { targetFiles, type TargetFilter } from '../sync/transfer/transfer-targets.js';
import type { TransferItem, TransferSnapshot } from './services.js';

export interface TransferSessionDeps {
  lib: () => Library;
  remote: () => Remote;
  /** Every change to the snapshot (throttled by the tracker for byte progress). */
  onChange: (s: TransferSnapshot) => void;
  /** A blob is now local: availability badges are stale. */
  onLocal: () => void;
}

interface Entry extends TransferItem {
  type: string;
  /** False for files neither here nor on the remote: nothing to retry from. */
  fetchable: boolean;
}

export interface QueuedResult {
  queued: number;
  alreadyLocal: number;
  unavailable: number;
}

export class TransferSession {
  private readonly entries = new Map<string, Entry>();
  private paused = false;
  private waiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private rate = 0;
  private eta: number | null = null;

  constructor(private readonly deps: TransferSessionDeps) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Queue the files of a release / file set / system that are on the remote only, and start. */
  request(filter: TargetFilter, label: string): QueuedResult {
    const lib = this.deps.lib();
    this.deps.remote(); // fails here (no remote configured, bad options) rather than in the background
    const plan = planDownloads(targetFiles(lib.db, filter));
    enqueueDownloads(lib.state, plan.fetch);
    for (const f of plan.fetch) this.upsert(f.sha1, { label: `${label} · ${f.type} ${f.sha1.slice(0, 8)}`, type: f.type, bytesTotal: f.size, fetchable: true, state: 'queued', error: undefined, bytesDone: 0 });
    for (const u of plan.unavailable) {
      this.upsert(u.sha1, {
        label: `${label} · ${u.type} ${u.sha1.slice(0, 8)}`,
        type: u.type,
        bytesTotal: 0,
        fetchable: false,
        state: 'failed',
        error: 'neither on this device nor on the remote: nothing to download from',
      });
    }
    this.emit();
    if (plan.fetch.length) this.kick();
    return { queued: plan.fetch.length, alreadyLocal: plan.alreadyLocal, unavailable: plan.unavailable.length };
  }

  retry(id: string): void {
    const e = this.entries.get(id);
    if (!e || e.state !== 'failed') throw new TroveError('NOT_FOUND', `no failed transfer ${id}`);
    if (!e.fetchable) throw new TroveError('NOT_AVAILABLE', `${e.label}: ${e.error}`);
    enqueueDownloads(this.deps.lib().state, [{ sha1: id, type: e.type, size: e.bytesTotal }]);
    Object.assign(e, { state: 'queued', error: undefined, bytesDone: 0 });
    this.emit();
    this.kick();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) for (const w of this.waiters.splice(0)) w();
    this.emit();
  }

  /** Resolves when no run is going (a restore or merge must not swap the database under a download). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  snapshot(): TransferSnapshot {
    const items = [...this.entries.values()].map(({ type: _t, fetchable: _f, ...i }) => ({ ...i, state: this.paused && i.state === 'queued' ? ('paused' as const) : i.state }));
    const finished = items.filter((i) => i.state === 'done' || i.state === 'failed');
    return {
      items,
      paused: this.paused,
      filesDone: finished.length,
      filesTotal: items.length,
      bytesDone: items.reduce((a, i) => a + i.bytesDone, 0),
      bytesTotal: items.reduce((a, i) => a + i.bytesTotal, 0),
      bytesPerSecond: this.rate,
      etaSeconds: this.eta,
    };
  }

  private upsert(sha1: string, e: Partial<Entry>): void {
    const old = this.entries.get(sha1);
    if (old && (old.state === 'active' || (old.state === 'queued' && e.state === 'failed'))) return;
    this.entries.set(sha1, { id: sha1, direction: 'download', label: sha1, type: 'rom', bytesDone: 0, bytesTotal: 0, fetchable: true, state: 'queued', ...old, ...e } as Entry);
  }

  private emit(): void {
    this.deps.onChange(this.snapshot());
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      this.rate = 0;
      this.eta = null;
      this.emit();
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.runOnce();
    } while (this.again);
  }

  private async runOnce(): Promise<void> {
    const lib = this.deps.lib();
    for (const q of queuedDownloads(lib.state)) this.upsert(q.sha1, { type: q.type, bytesTotal: q.size, fetchable: true });
    try {
      await runDownloads(lib, this.deps.remote(), {
        beforeItem: async (key) => {
          if (this.paused) await new Promise<void>((r) => this.waiters.push(r));
          const e = this.entries.get(/([0-9a-f]{40})\.zst$/.exec(key)?.[1] ?? '');
          if (e) e.state = 'active';
          this.emit();
        },
        onProgress: (ev) => this.onEvent(ev),
      });
    } catch (err) {
      // The run as a whole failed (no space, the remote unreachable): every unfinished item says why.
      const message = err instanceof Error ? err.message : String(err);
      for (const e of this.entries.values()) if (e.state === 'queued' || e.state === 'active') Object.assign(e, { state: 'failed', error: message });
    }
  }

  private onEvent(ev: ProgressEvent): void {
    this.rate = ev.rateBytesPerSec;
    this.eta = ev.etaSeconds;
    if (ev.type === 'item') {
      const e = this.entries.get(ev.sha1);
      if (e) {
        if (ev.outcome === 'failed') Object.assign(e, { state: 'failed', error: ev.reason ?? ev.code ?? 'failed' });
        else Object.assign(e, { state: 'done', bytesDone: e.bytesTotal, error: undefined });
      }
      if (ev.outcome !== 'failed') this.deps.onLocal();
    }
    if (ev.type === 'retry') {
      const e = this.entries.get(ev.sha1);
      if (e) e.error = `retrying (attempt ${ev.attempt + 1}): ${ev.reason}`;
    }
    this.emit();
  }
}
