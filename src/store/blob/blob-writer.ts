// Ingest: one streaming pass over a file that hashes (SHA1, MD5, CRC32) while zstd frames of at most
// `frameBytes` of input are compressed on libuv's thread pool (both cores), written in order to a temp
// file, fsynced and renamed to store/<type>/<sha1[0:2]>/<sha1>.zst. Content already stored is not
// written twice. Memory is bounded by (depth + 1) frames whatever the file's size. A file of at most
// one frame takes the fast path in ingest-small.ts (same blob, same guarantees, fewer system calls).
import { compress } from '@mongodb-js/zstd';
import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { TroveError, withContext } from '../errors.js';
import pLimit from '../limit.js';
import { fsyncDir, tempName, writeAll } from '../atomic-fs.js';
import { commitBlob, type KnownContentLookup } from './blob-commit.js';
import { blobPath, type FileType } from './blob-key.js';
import { MultiHasher, type Digests } from './hashes.js';
import { OffloadedHasher, sharedBuffer } from './hash-offload.js';
import { ingestSmallFile } from './ingest-small.js';
import { assertRegularFile, changedWhileReading, statSource, type SourceIdentity } from './source-file.js';

export { statSource, type SourceIdentity };
export type { KnownContent, KnownContentLookup } from './blob-commit.js';

// zstd level 3 uses a 2 MiB window, so 4 MiB frames compress as well as 8 MiB ones with half the memory.
export const DEFAULT_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * While a large blob is written, its written part is flushed to disk (fdatasync, in the background)
 * every this many stored bytes. The fsync before the rename then waits for the last few MiB, not for
 * the whole blob: a 1 GiB file leaves ~500 MiB of dirty pages that the kernel would otherwise start
 * writing only at that fsync, after all the compression is done. Durability is unchanged: the fsync
 * before the rename still covers everything.
 */
const FLUSH_BYTES = 32 * 1024 * 1024;

export interface StoreDirs {
  storeDir: string;
  tmpDir: string;
}

export interface IngestResult extends Digests {
  storedBytes: number;
  /**
   * The type the blob is stored under: the one asked for, unless the catalogue already knows the
   * content under another (`IngestOptions.known`).
   */
  type: FileType;
  /** false when the store already held this content (nothing was written). */
  created: boolean;
  blobPath: string;
}

export interface IngestOptions {
  frameBytes?: number;
  /** Frames compressing at once. */
  depth?: number;
  /**
   * fsync the blob's folder after the rename (default true). Batch callers pass false and call
   * syncBlobDirs() once for all the folders before they record anything.
   */
  syncDir?: boolean;
  /**
   * The file as the caller last saw it (a plan's or a folder walk's stat). Saves a stat; the ingest
   * fails with CHANGED_WHILE_READING if size or mtime moved since.
   */
  expect?: SourceIdentity;
  /**
   * What the caller's catalogue knows of the content (by SHA1): the type it is stored under, and
   * whether this device records its blob. Without it a file at the blob's path stands only if it
   * verifies, and the blob goes under the type asked for.
   */
  known?: KnownContentLookup;
}

/**
 * fsync each folder once: makes a batch of renames durable. Several at a time: each waits on the
 * disk, and concurrent ones share the device's cache flushes (and, on a journalling file system, its
 * commits).
 */
export async function syncBlobDirs(dirs: Iterable<string>): Promise<void> {
  const limit = pLimit(8);
  await Promise.all([...new Set(dirs)].map((d) => limit(() => fsyncDir(d))));
}

async function readFull(h: fs.FileHandle, buf: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await h.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Compress `srcPath` into the store. Throws CHANGED_WHILE_READING if its size or mtime changed during
 * the read; on any error the temp file is removed and the store is unchanged.
 */
export async function ingestFile(dirs: StoreDirs, srcPath: string, type: FileType, opts: IngestOptions = {}): Promise<IngestResult> {
  const frameBytes = opts.frameBytes ?? DEFAULT_FRAME_BYTES;
  const depth = opts.depth ?? 2;
  const size = opts.expect?.size ?? Number((await statSource(srcPath)).size);
  if (size <= frameBytes) {
    return ingestSmallFile(dirs, srcPath, size, type, { syncDir: opts.syncDir, expect: opts.expect, known: opts.known });
  }
  let src: fs.FileHandle;
  try {
    src = await fs.open(srcPath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    throw withContext(`cannot read ${srcPath}`, err);
  }
  const tmp = tempName(dirs.tmpDir, 'ingest');
  let out: fs.FileHandle | undefined;
  const inFlight: Promise<Buffer>[] = [];
  // Background writeback (see FLUSH_BYTES); settles, never rejects: a failure lands in flushError.
  let flushing: Promise<void> | undefined;
  let flushError: unknown;
  let abandonHasher: (() => void) | undefined;
  const free: Buffer[] = [];
  try {
    // The identity of the version we read: taken on the open descriptor, so it is the file we read.
    const before = await src.stat({ bigint: true });
    assertRegularFile(srcPath, before);
    if (opts.expect && (opts.expect.size !== Number(before.size) || opts.expect.mtimeNs !== before.mtimeNs)) {
      throw changedWhileReading(srcPath, opts.expect.size, before.size);
    }
    const total = Number(before.size);
    out = await fs.open(tmp, 'wx', 0o644);
    // Files of more than one frame hash on a worker thread; small ones inline (no messaging cost).
    const offload = total > frameBytes ? new OffloadedHasher() : undefined;
    abandonHasher = () => offload?.abandon();
    const inline = offload ? undefined : new MultiHasher();
    let storedBytes = 0;
    let position = 0;
    let unflushed = 0;
    const writeNext = async () => {
      const frame = await inFlight.shift()!;
      await writeAll(out!, frame);
      storedBytes += frame.length;
      unflushed += frame.length;
      if (unflushed >= FLUSH_BYTES && !flushing) {
        unflushed = 0;
        flushing = out!.datasync().then(
          () => (flushing = undefined),
          (err: unknown) => {
            flushError ??= err;
            flushing = undefined;
          },
        );
      }
    };
    // Read exactly the size stat promised (an empty file still gets one empty frame); a file that
    // grows or shrinks meanwhile is caught by the fstat comparison below.
    do {
      const want = Math.min(frameBytes, total - position);
      // Offloaded: frame buffers are recycled once compressed and hashed, which bounds memory.
      const buf = offload ? (free.pop() ?? sharedBuffer(frameBytes)) : Buffer.allocUnsafe(want);
      const n = await readFull(src, buf.subarray(0, want), position);
      const chunk = buf.subarray(0, n);
      position += n;
      const queued = offload ? await offload.update(chunk) : (inline!.update(chunk), undefined);
      const p = compress(chunk);
      p.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
      inFlight.push(p);
      if (queued) Promise.all([p, queued.hashed]).then(() => free.push(buf), () => undefined);
      if (inFlight.length > depth) await writeNext();
      if (n < want) break;
    } while (position < total);
    while (inFlight.length) await writeNext();
    const after = await src.stat({ bigint: true });
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs || position !== total) throw changedWhileReading(srcPath, before.size, after.size);
    await flushing;
    // An error of a background flush may be reported once only, to that call: never let the final
    // fsync's success hide it.
    if (flushError) throw flushError;
    await out.sync();
    await out.close();
    out = undefined;
    const digests: Digests = offload ? await offload.digest() : inline!.digest();
    abandonHasher = undefined;
    const known = opts.known?.(digests.sha1);
    const storedType = known?.type ?? type;
    const finalPath = blobPath(dirs.storeDir, storedType, digests.sha1);
    const committed = await commitBlob(tmp, finalPath, digests, { recordedBytes: known?.recordedBytes, syncDir: opts.syncDir ?? true });
    return { ...digests, type: storedType, storedBytes: committed.storedBytes ?? storedBytes, created: committed.created, blobPath: finalPath };
  } catch (err) {
    abandonHasher?.();
    await Promise.allSettled(inFlight);
    await flushing;
    await out?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err instanceof TroveError ? err : withContext(`cannot add ${srcPath}`, err);
  } finally {
    await src.close().catch(() => undefined);
  }
}
