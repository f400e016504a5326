// The download worker: fetches every queued blob. Each download streams from the remote; the raw
// (compressed) bytes go to a temp file while decodeBlob checks zstd frames, SHA1 and size on the
// way; only a blob that verified is fsynced and renamed into the store and marked local. A bad
// object (checksum mismatch, an HTML error page, truncation) never takes its final name. Memory is
// bounded by a few frames per transfer whatever the file's size: objects up to 8 MiB (stored size,
// known up front: recorded in file_sync_log by the uploading device, else from one listing or a
// stat) come in one ranged GET as one chunk, larger ones stream in 1 MiB chunks. Free disk space is
// checked up front.
// Durability: the temp file is fsynced before its rename; the rename's directory is fsynced before
// the row recording the blob as local commits — once per directory per batch (dir-sync-batch.ts),
// not once per file. A crash before that commit costs nothing: the next run finds the verified blob
// at its final path, checks it again and records it (adoptFinishedBlobs) instead of downloading it.
// Interruption (ctrl+c): `stop` takes no new item and lets the items in flight finish and be
// recorded; `abort` also cuts the items in flight (temp removed, left Pending). Either way the run
// resolves only once the bookkeeping of what finished committed, with `interrupted` set.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import { commitTemp, tempName, writeAll } from '../../store/atomic-fs.js';
import { decodeBlob } from '../../store/blob/blob-reader.js';
import { removeStaleTempsIn } from '../../store/stale-temps.js';
import { DOWNLOAD_LOCK, withRunnerLock } from '../../store/runner-lock.js';
import { blobKey, blobPath, type FileType } from '../../store/blob/blob-key.js';
import { TroveError, withContext } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { markLocal } from '../../store/repo/files.js';
import { WHOLE_READ_BYTES, type Remote } from '../remote/remote.js';
import { freeSpaceShortfall } from './download-plan.js';
import { remoteSizes } from './remote-sizes.js';
import { DirSyncBatch } from './dir-sync-batch.js';
import { adoptFinishedBlobs } from './download-adopt.js';
import { uploadedSizes } from './sync-log.js';
import { queuedDownloads, removeDownload, resetDownloads, setDownloadState, type DownloadItem } from './download-queue.js';
import { ProgressTracker } from './progress.js';
import { decide } from './retry-policy.js';
import { stopsTheRun } from '../remote/remote-errors.js';
import { configuredConcurrency, sleepMs, type ItemFailure, type TransferOptions } from './transfer-options.js';

export interface DownloadReport {
  downloaded: number;
  /** Already in the store when the run reached them. */
  alreadyLocal: number;
  failed: ItemFailure[];
  bytes: number;
  stoppedBy?: { code: string; message: string };
  /**
   * Found verified at their final path but not recorded (a run interrupted after the rename):
   * recorded now, not downloaded. Also counted in `alreadyLocal`.
   */
  adopted: number;
  /** The run was stopped or aborted by the caller: what did not finish stays queued (Pending). */
  interrupted?: boolean;
}

export interface DownloadOptions extends TransferOptions {
  /**
   * Aborted: start no new item (those left stay Pending, as after a crash); items in flight finish,
   * are verified and recorded. The first ctrl+c of a CLI or TUI. A caller whose `beforeItem` holds
   * items (a pause) must let them through when it stops the run.
   */
  stop?: AbortSignal;
  /**
   * Exact remote (stored) sizes the caller learned from the remote just before (a stat or a listing:
   * download-probe.ts), by sha1: used as such, not asked again.
   */
  knownSizes?: ReadonlyMap<string, number>;
  /**
   * Aborted: also cut the items in flight (their temp files are removed, they stay Pending); what
   * already finished is still recorded. The second ctrl+c.
   */
  abort?: AbortSignal;
}

const TEMP_HINT = 'dl';
/** Thrown (as is, never wrapped) for an item whose request was not sent because the run stopped. */
const NOT_SENT = new Error('run stopped before the request');
/** Thrown (as is, never wrapped) out of a download cut by the caller's `abort` signal. */
const ABORTED = new Error('download aborted by the caller');
/**
 * Blobs of at most this many (decompressed) bytes release their network slot as soon as their bytes
 * arrived, so that verifying, writing and fsyncing them overlaps the next requests. The worker runs
 * up to 2 × concurrency items, so such blobs add at most concurrency × (1 MiB + its stored bytes)
 * of memory; larger ones keep their slot until decoded, as before.
 */
const OVERLAP_MAX_BYTES = 1024 * 1024;

/** Remove download temp files left by processes that no longer run (`.dl.<pid>.<rand>.tmp`). */
export async function removeStaleDownloadTemps(tmpDir: string): Promise<number> {
  return removeStaleTempsIn(tmpDir).filter((name) => name.startsWith(`.${TEMP_HINT}.`)).length;
}

export interface DownloadBlobOptions {
  /** The object's exact stored size, when known: lets the remote fetch a small object in one request. */
  storedSize?: number;
  /** Where the `markLocal` write goes (default: now). */
  record?: (op: () => void) => void;
  /**
   * The caller fsyncs the store directory before `record`'s writes commit (DirSyncBatch): the
   * rename is not synced here, and its directory is reported. Default: fsync it here.
   */
  touched?: (dir: string) => void;
  /**
   * Runs the part of the download that talks to the remote (default: directly). The worker passes
   * a limiter of `concurrency` slots, so requests in flight never exceed it while verifying,
   * writing and fsyncing finished objects overlaps with the next requests.
   */
  network?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** How many original bytes are verified so far (per-item progress). */
  onVerified?: (bytes: number) => void;
  /** Aborted: stop reading, remove the temp file, throw (nothing at the final path). */
  abort?: AbortSignal;
}

/** Download one blob to the store, verified. Throws (leaving nothing at the final path) on any failure. */
export async function downloadBlob(
  lib: Library,
  remote: Remote,
  item: { sha1: string; type: string; size: number },
  onBytes: (n: number) => void,
  opts: DownloadBlobOptions = {},
): Promise<number> {
  const record = opts.record ?? ((op) => op());
  const network = opts.network ?? ((fn) => fn());
  const key = blobKey(item.type, item.sha1);
  const tmp = tempName(lib.paths.tmpDir, TEMP_HINT);
  let fh = undefined as fsp.FileHandle | undefined;
  let stored = 0;
  const whole = opts.storedSize !== undefined && opts.storedSize > 0 && opts.storedSize <= WHOLE_READ_BYTES;
  try {
    const label = `download ${key} from ${remote.description}`;
    const decode = async (source: AsyncIterable<Buffer> | Iterable<Buffer>, parallel?: number) => {
      fh = await fsp.open(tmp, 'wx', 0o644);
      let verified = 0;
      for await (const plain of decodeBlob(source as AsyncIterable<Buffer>, { sha1: item.sha1, size: item.size }, label, {
        parallel,
        onRaw: async (chunk) => {
          if (opts.abort?.aborted) throw ABORTED;
          await writeAll(fh!, chunk);
          stored += chunk.length;
          onBytes(chunk.length);
        },
      })) {
        // decodeBlob hashes and size-checks the decompressed bytes; we keep only the raw blob.
        verified += plain.length;
        opts.onVerified?.(verified);
      }
    };
    const get = async () => {
      const parts: Buffer[] = [];
      for await (const c of remote.read(key, { size: opts.storedSize })) {
        if (opts.abort?.aborted) throw ABORTED;
        parts.push(c);
      }
      return parts;
    };
    if (whole && item.size <= OVERLAP_MAX_BYTES) {
      // A small blob: one request, then its network slot is free while we verify and write it.
      await decode(await network(get));
    } else if (whole) {
      // One request, but the slot is held while decoding: at most `concurrency` large blobs (and
      // their decompressed frames) are in memory at once, as before the overlap.
      await network(async () => decode(await get()));
    } else {
      // Streaming: the request lasts as long as the whole download. One frame decompresses while
      // the previous one is hashed (not two): measured on a 2 GiB download, peak RSS 168 MiB
      // instead of 205-228 MiB, at the same speed (hashing on the main thread is the slower step).
      await network(() => decode(remote.read(key), 1));
    }
    if (opts.abort?.aborted) throw ABORTED;
    await fh!.sync(); // set by decode()
    await fh!.close();
    fh = undefined;
    const final = blobPath(lib.paths.storeDir, item.type, item.sha1);
    await commitTemp(tmp, final, { syncDir: !opts.touched });
    opts.touched?.(path.dirname(final));
    // After the rename: a crash before this is recorded re-downloads the blob next time (harmless).
    record(() => markLocal(lib.state, 'main', { sha1: item.sha1, type: item.type as FileType, size: item.size, storedBytes: stored }));
    return stored;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err instanceof TroveError || err === NOT_SENT || err === ABORTED ? err : withContext(`download ${key}`, err);
  }
}

/**
 * Run the download queue, holding the library's download lock (runner-lock.ts DOWNLOAD_LOCK): a
 * second download run or a `download --cancel` in another process is refused with BUSY meanwhile.
 */
export async function runDownloads(lib: Library, remote: Remote, opts: DownloadOptions = {}): Promise<DownloadReport> {
  return withRunnerLock(lib.paths.dir, 'download', () => runDownloadsLocked(lib, remote, opts), DOWNLOAD_LOCK);
}

/** runDownloads for a caller that holds the download lock already (queued its request under it). */
export async function runDownloadsLocked(lib: Library, remote: Remote, opts: DownloadOptions = {}): Promise<DownloadReport> {
  const state = lib.state;
  const concurrency = opts.concurrency ?? configuredConcurrency(lib);
  resetDownloads(state);
  await removeStaleDownloadTemps(lib.paths.tmpDir);
  const report: DownloadReport = { downloaded: 0, alreadyLocal: 0, adopted: 0, failed: [], bytes: 0 };
  // Where this device's blob is comes from its record (local_blob.type), not the queued type; the
  // remote key from the log (file_sync_log.type, the type the object was uploaded under), which a
  // pull may have changed since the item was queued. docs/store.md "Where a blob is".
  const localType = state.prepare('SELECT type FROM local_blob WHERE sha1 = ?').pluck();
  const loggedType = lib.db.prepare('SELECT type FROM main.file_sync_log WHERE file_sha1 = ?').pluck();
  const unrecorded: DownloadItem[] = [];
  for (const queued of queuedDownloads(state)) {
    const i = { ...queued, type: (loggedType.get(queued.sha1) as string | undefined) ?? queued.type };
    const here = localType.get(i.sha1) as string | undefined;
    if (here !== undefined && fs.existsSync(blobPath(lib.paths.storeDir, here, i.sha1))) {
      removeDownload(state, i.sha1);
      report.alreadyLocal++;
    } else unrecorded.push(i);
  }
  const { rest: items, adopted } = await adoptFinishedBlobs(lib, unrecorded);
  report.adopted += adopted;
  report.alreadyLocal += adopted;
  // Stopped by the caller (ctrl+c): take no new item and send no new request.
  const halted = () => !!(opts.stop?.aborted || opts.abort?.aborted);
  const tracker = new ProgressTracker('download', opts.onProgress);
  const countOfType = lib.db.prepare('SELECT count(*) FROM file WHERE type = ?').pluck();
  // Remote sizes: from the catalogue where the uploading device recorded them (no request at all),
  // otherwise from one listing or a stat per object (remoteSizes). A recorded size is a hint that a
  // failed download re-checks (recheckSize).
  const hinted = uploadedSizes(lib.db, items.map((i) => i.sha1));
  const known = opts.knownSizes ?? new Map<string, number>();
  const sizes = await remoteSizes(remote, items.filter((i) => !hinted.has(i.sha1) && !known.has(i.sha1)), concurrency, (type) => Number(countOfType.get(type)));
  for (const [sha1, n] of hinted) sizes.set(sha1, n);
  for (const i of items) if (known.has(i.sha1) && !hinted.has(i.sha1)) sizes.set(i.sha1, known.get(i.sha1)!);
  const need = items.reduce((a, i) => a + (sizes.get(i.sha1) ?? 0), 0);
  const st = await fsp.statfs(lib.paths.storeDir);
  const shortfall = freeSpaceShortfall(need, Number(st.bavail) * Number(st.bsize));
  if (shortfall > 0) {
    throw new TroveError(
      'NO_SPACE',
      `not enough free space in ${lib.paths.storeDir} for ${items.length} download(s): ${need} bytes needed plus a reserve, ${Number(st.bavail) * Number(st.bsize)} available (short by ${shortfall}); nothing was downloaded`,
      { details: { needBytes: need, shortBytes: shortfall } },
    );
  }
  tracker.start(items.length, need);
  // Twice as many items as requests in flight: while `concurrency` objects are being fetched, as
  // many small finished ones are verified, written and fsynced (see OVERLAP_MAX_BYTES).
  const queue = new PQueue({ concurrency: concurrency * 2 });
  const net = new PQueue({ concurrency });
  let stopped = false;
  // A run stopped (AUTH, …) while an item waited for its slot: that item sends nothing. An error
  // that stops the run sets `stopped` before its slot is handed on (p-queue starts the next task
  // before the failed item's own handler runs).
  const network = <T>(fn: () => Promise<T>) =>
    net.add(async () => {
      if (stopped || halted()) throw NOT_SENT;
      try {
        return await fn();
      } catch (err) {
        if (err instanceof TroveError && stopsTheRun(err.code)) stopped = true;
        throw err;
      }
    }) as Promise<T>;
  const sleep = opts.sleep ?? sleepMs;
  // Queue bookkeeping and markLocal, batched; store directories fsynced before each commit.
  const log = new DirSyncBatch(state);

  const notFound = (item: DownloadItem, key: string) => {
    const message = `download ${key}: not found on ${remote.description} (the log says it was uploaded; the uploading device should run \`trove upload --verify\`)`;
    log.add(() => setDownloadState(state, item.sha1, 'Failed', message));
    report.failed.push({ sha1: item.sha1, key, code: 'NOT_FOUND', message });
    tracker.failed(key, item.sha1, 'NOT_FOUND', message);
  };
  /**
   * A download whose size came from the catalogue failed: ask the remote for the real size (once per
   * item). 'retry' when it differs (the object is not the one whose size was recorded: try again
   * with the real size, not counted as an attempt), 'missing' when there is no object, 'same' when
   * the hint was right (the failure stands), 'stopped' when the run stopped meanwhile.
   */
  const recheckSize = async (item: DownloadItem, key: string): Promise<'retry' | 'missing' | 'same' | 'stopped'> => {
    const hint = hinted.get(item.sha1);
    hinted.delete(item.sha1);
    let st;
    try {
      st = await network(() => remote.stat(key));
    } catch (err) {
      return err === NOT_SENT ? 'stopped' : 'same'; // the download's own error decides what follows
    }
    if (!st) return 'missing';
    if (st.size === hint) return 'same';
    sizes.set(item.sha1, st.size);
    return 'retry';
  };

  const one = async (item: DownloadItem) => {
    const key = blobKey(item.type, item.sha1);
    await opts.beforeItem?.(key);
    if (stopped || halted()) return; // still Pending: the next run takes it
    tracker.begin(key);
    if (!sizes.has(item.sha1)) {
      notFound(item, key);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      if (stopped) return;
      if (halted()) {
        log.add(() => setDownloadState(state, item.sha1, 'Pending'));
        return;
      }
      log.add(() => setDownloadState(state, item.sha1, 'InProgress'));
      let got = 0;
      try {
        const stored = await downloadBlob(
          lib,
          remote,
          item,
          (n) => {
            got += n;
            tracker.addBytes(n);
          },
          {
            storedSize: sizes.get(item.sha1),
            record: (op) => log.add(op),
            touched: (dir) => log.touched(dir),
            network,
            onVerified: (n) => tracker.setItemBytes(key, n),
            abort: opts.abort,
          },
        );
        report.downloaded++;
        report.bytes += stored;
        // "done" once the row saying the blob is local committed (the TUI re-reads the catalogue).
        log.add(
          () => removeDownload(state, item.sha1),
          () => tracker.done(key, item.sha1, 'done'),
        );
        return;
      } catch (raw) {
        tracker.addBytes(-got);
        if (raw === NOT_SENT || raw === ABORTED) {
          log.add(() => setDownloadState(state, item.sha1, 'Pending'));
          return; // stays queued for the next run, as if never started
        }
        // A failure that stops the run (AUTH, …; `network` has set `stopped`) is about the remote,
        // not the size: it stands.
        if (hinted.has(item.sha1) && !stopped) {
          const recheck = await recheckSize(item, key);
          if (recheck === 'retry') {
            attempt--;
            continue;
          }
          if (recheck === 'missing') {
            notFound(item, key);
            return;
          }
          if (recheck === 'stopped') {
            log.add(() => setDownloadState(state, item.sha1, 'Pending'));
            return;
          }
        }
        const err = raw as TroveError;
        const d = decide(err.code, attempt, opts, opts.random);
        if (d.action === 'retry' && !stopped && !halted()) {
          log.add(() => setDownloadState(state, item.sha1, 'Pending', err.message));
          tracker.retry(key, item.sha1, attempt, d.delayMs, err.code, err.message);
          await sleep(d.delayMs);
          continue;
        }
        log.add(() => setDownloadState(state, item.sha1, 'Failed', err.message));
        report.failed.push({ sha1: item.sha1, key, code: err.code, message: err.message });
        tracker.failed(key, item.sha1, err.code, err.message);
        if (d.action === 'stop-run' && !report.stoppedBy) {
          stopped = true;
          report.stoppedBy = { code: err.code, message: err.message };
          queue.clear();
        }
        return;
      }
    }
  };
  // Items not handed to a worker yet are dropped at once (they never settle; onIdle covers them).
  const halt = () => queue.clear();
  opts.stop?.addEventListener('abort', halt);
  opts.abort?.addEventListener('abort', halt);
  const bugs: unknown[] = [];
  for (const i of items) queue.add(() => one(i)).catch((err) => bugs.push(err));
  if (halted()) halt();
  try {
    await queue.onIdle();
  } finally {
    opts.stop?.removeEventListener('abort', halt);
    opts.abort?.removeEventListener('abort', halt);
    await log.flush();
  }
  if (bugs.length) throw bugs[0];
  if (halted()) report.interrupted = true;
  tracker.end();
  return report;
}
