// One progress event stream for every transfer (upload, download, verify, drop). The CLI renders it
// as a progress line on a TTY, nothing on a pipe, NDJSON with --json; the TUI subscribes to the same
// events. The tracker is plain bookkeeping with an injected clock, so rate and ETA are testable.

export type TransferKind = 'upload' | 'download' | 'verify' | 'drop';

export interface ProgressSnapshot {
  kind: TransferKind;
  filesDone: number;
  filesTotal: number;
  /** Bytes moved so far (stored, compressed bytes: what crosses the wire). */
  bytesDone: number;
  bytesTotal: number;
  /** Average since the start, bytes per second; 0 until a little time has passed. */
  rateBytesPerSec: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
  /** The item most recently started that is still in flight (a label: "rom/ab/ab12….zst"). */
  current: string | null;
  /**
   * Every item in flight with how far it got, in the item's own measure (a download counts the
   * original bytes verified so far, an upload the stored bytes sent): per-item progress bars.
   */
  inFlight: { item: string; bytes: number }[];
  failures: number;
  elapsedMs: number;
}

export type ProgressEvent =
  | ({ type: 'start' } & ProgressSnapshot)
  | ({ type: 'progress' } & ProgressSnapshot)
  | ({ type: 'item'; item: string; sha1: string; outcome: 'done' | 'skipped' | 'failed'; reason?: string; code?: string } & ProgressSnapshot)
  | ({ type: 'retry'; item: string; sha1: string; attempt: number; delayMs: number; code: string; reason: string } & ProgressSnapshot)
  | ({ type: 'end' } & ProgressSnapshot);

export type ProgressListener = (e: ProgressEvent) => void;

export function rateAndEta(bytesDone: number, bytesTotal: number, elapsedMs: number): { rateBytesPerSec: number; etaSeconds: number | null } {
  if (elapsedMs < 250 || bytesDone === 0) return { rateBytesPerSec: 0, etaSeconds: null };
  const rate = (bytesDone * 1000) / elapsedMs;
  return { rateBytesPerSec: Math.round(rate), etaSeconds: Math.max(0, Math.round((bytesTotal - bytesDone) / rate)) };
}

export class ProgressTracker {
  private filesDone = 0;
  private filesTotal = 0;
  private bytesDone = 0;
  private bytesTotal = 0;
  private failures = 0;
  private readonly inFlight: string[] = [];
  private readonly itemBytes = new Map<string, number>();
  private started: number | undefined;
  private lastEmit = -Infinity;
  /** A throttled update still owed: sent when the throttle interval ends (the last state before a stall shows). */
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    readonly kind: TransferKind,
    private readonly listener: ProgressListener = () => undefined,
    private readonly opts: { now?: () => number; throttleMs?: number } = {},
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = this.started === undefined ? 0 : this.now() - this.started;
    return {
      kind: this.kind,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      ...rateAndEta(this.bytesDone, this.bytesTotal, elapsedMs),
      current: this.inFlight[this.inFlight.length - 1] ?? null,
      inFlight: this.inFlight.map((item) => ({ item, bytes: this.itemBytes.get(item) ?? 0 })),
      failures: this.failures,
      elapsedMs,
    };
  }

  start(filesTotal: number, bytesTotal: number): void {
    this.started = this.now();
    this.filesTotal = filesTotal;
    this.bytesTotal = bytesTotal;
    this.listener({ type: 'start', ...this.snapshot() });
  }

  /** More work found after the start (verify re-uploads, say). */
  grow(files: number, bytes: number): void {
    this.filesTotal += files;
    this.bytesTotal += bytes;
  }

  begin(item: string): void {
    this.inFlight.push(item);
    this.tick(false);
  }

  addBytes(n: number): void {
    this.bytesDone += n;
    this.tick(false);
  }

  /** How far one item in flight got (see ProgressSnapshot.inFlight); throttled like addBytes. */
  setItemBytes(item: string, bytes: number): void {
    if (!this.inFlight.includes(item)) return;
    this.itemBytes.set(item, bytes);
    this.tick(false);
  }

  done(item: string, sha1: string, outcome: 'done' | 'skipped', bytesNotCounted = 0): void {
    this.bytesDone += bytesNotCounted;
    this.finish(item);
    this.listener({ type: 'item', item, sha1, outcome, ...this.snapshot() });
  }

  failed(item: string, sha1: string, code: string, reason: string): void {
    this.failures++;
    this.finish(item);
    this.listener({ type: 'item', item, sha1, outcome: 'failed', code, reason, ...this.snapshot() });
  }

  retry(item: string, sha1: string, attempt: number, delayMs: number, code: string, reason: string): void {
    this.listener({ type: 'retry', item, sha1, attempt, delayMs, code, reason, ...this.snapshot() });
  }

  end(): ProgressSnapshot {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    const s = this.snapshot();
    this.listener({ type: 'end', ...s });
    return s;
  }

  private finish(item: string): void {
    this.filesDone++;
    const i = this.inFlight.lastIndexOf(item);
    if (i >= 0) this.inFlight.splice(i, 1);
    if (!this.inFlight.includes(item)) this.itemBytes.delete(item);
  }

  private tick(force: boolean): void {
    const now = this.now();
    const throttle = this.opts.throttleMs ?? 200;
    if (!force && now - this.lastEmit < throttle) {
      this.trailing ??= setTimeout(() => {
        this.trailing = undefined;
        this.tick(true);
      }, throttle - (now - this.lastEmit)).unref();
      return;
    }
    clearTimeout(this.trailing);
    this.trailing = undefined;
    this.lastEmit = now;
    this.listener({ type: 'progress', ...this.snapshot() });
  }
}
