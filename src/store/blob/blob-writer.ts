// Ingest: one streaming pass over a file that hashes (SHA1, MD5, CRC32) while zstd frames of at most
// `frameBytes` of input are compressed on libuv's thread pool (both cores), written in order to a temp
// file, fsynced and renamed to store/<type>/<sha1[0:2]>/<sha1>.zst. Content already stored is not
// written twice. Memory is bounded by (depth + 1) frames whatever the file's size.
import { compress } from '@mongodb-js/zstd';
import fs from 'node:fs/promises';
import { TroveError, withContext } from '../errors.js';
import { commitTemp, exists, fsyncDir, tempName, writeAll } from '../atomic-fs.js';
import { blobPath, type FileType } from './blob-key.js';
import { MultiHasher, type Digests } from './hashes.js';
import { OffloadedHasher, sharedBuffer } from './hash-offload.js';

// zstd level 3 uses a 2 MiB window, so 4 MiB frames compress as well as 8 MiB ones with half the memory.
export const DEFAULT_FRAME_BYTES = 4 * 1024 * 1024;

export interface StoreDirs {
  storeDir: string;
  tmpDir: string;
}

export interface IngestResult extends Digests {
  type: FileType;
  storedBytes: number;
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
}

/** fsync each folder once: makes a batch of renames durable. */
export async function syncBlobDirs(dirs: Iterable<string>): Promise<void> {
  for (const d of new Set(dirs)) await fsyncDir(d);
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

/** Check that `srcPath` is a regular file we may read; returns its stat. */
export async function statSource(srcPath: string): Promise<import('node:fs').Stats> {
  let st;
  try {
    st = await fs.stat(srcPath);
  } catch (err) {
    throw withContext(`cannot read ${srcPath}`, err);
  }
  if (!st.isFile()) {
    const kind = st.isFIFO() ? 'a fifo' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a folder' : 'not a regular file';
    throw new TroveError('BAD_INPUT', `${srcPath} is ${kind}; only regular files can be added`, { details: { path: srcPath } });
  }
  return st;
}

/**
 * Compress `srcPath` into the store. Throws CHANGED_WHILE_READING if its size or mtime changed during
 * the read; on any error the temp file is removed and the store is unchanged.
 */
export async function ingestFile(dirs: StoreDirs, srcPath: string, type: FileType, opts: IngestOptions = {}): Promise<IngestResult> {
  const frameBytes = opts.frameBytes ?? DEFAULT_FRAME_BYTES;
  const depth = opts.depth ?? 2;
  const before = await statSource(srcPath);
  let src: fs.FileHandle;
  try {
    src = await fs.open(srcPath, 'r');
  } catch (err) {
    throw withContext(`cannot read ${srcPath}`, err);
  }
  const tmp = tempName(dirs.tmpDir, 'ingest');
  let out: fs.FileHandle | undefined;
  const inFlight: Promise<Buffer>[] = [];
  let abandonHasher: (() => void) | undefined;
  const free: Buffer[] = [];
  try {
    out = await fs.open(tmp, 'wx', 0o644);
    // Files of more than one frame hash on a worker thread; small ones inline (no messaging cost).
    const offload = before.size > frameBytes ? new OffloadedHasher() : undefined;
    abandonHasher = () => offload?.abandon();
    const inline = offload ? undefined : new MultiHasher();
    let storedBytes = 0;
    let position = 0;
    const writeNext = async () => {
      const frame = await inFlight.shift()!;
      await writeAll(out!, frame);
      storedBytes += frame.length;
    };
    // Read exactly the size stat promised (an empty file still gets one empty frame); a file that
    // grows or shrinks meanwhile is caught by the fstat comparison below.
    do {
      const want = Math.min(frameBytes, before.size - position);
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
    } while (position < before.size);
    while (inFlight.length) await writeNext();
    const after = await src.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || position !== before.size) {
      throw new TroveError('CHANGED_WHILE_READING', `${srcPath} changed while it was being read (size ${before.size} → ${after.size}); nothing was added`, {
        details: { path: srcPath },
      });
    }
    await out.sync();
    await out.close();
    out = undefined;
    const digests: Digests = offload ? await offload.digest() : inline!.digest();
    abandonHasher = undefined;
    const finalPath = blobPath(dirs.storeDir, type, digests.sha1);
    let created = false;
    if (await exists(finalPath)) {
      await fs.rm(tmp, { force: true });
    } else {
      await commitTemp(tmp, finalPath, { syncDir: opts.syncDir ?? true });
      created = true;
    }
    return { ...digests, type, storedBytes, created, blobPath: finalPath };
  } catch (err) {
    abandonHasher?.();
    await Promise.allSettled(inFlight);
    await out?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err instanceof TroveError ? err : withContext(`cannot add ${srcPath}`, err);
  } finally {
    await src.close().catch(() => undefined);
  }
}
