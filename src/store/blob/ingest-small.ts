// Ingest of a file of at most one frame (the blob writer's fast path): one read, hashes computed inline,
// and the store is looked up *before* compressing, so content already stored costs a read and a hash.
// The blob it writes is byte-for-byte what the streaming path writes (one zstd frame), with the same
// guarantees: temp file, fsync, rename; CHANGED_WHILE_READING when size or mtime moved during the read;
// on any error the temp file is removed and the store is unchanged.
//
// Why a separate path: for thousands of 16 KiB files the cost is not the bytes but the per-call
// overhead of the thread pool (≈25–50 µs of main-thread time per fs.promises call, a dozen calls per
// file). Here only the calls that can wait on a slow device or a network share run on the pool — open,
// read, fsync, zstd — and so still overlap across files; the cheap ones on an open descriptor or the
// library's own folders (fstat, close, create/write of the temp file, the store lookup, rename) are
// direct system calls.
import { compress } from '@mongodb-js/zstd';
import fs from 'node:fs';
import path from 'node:path';
import { TroveError, withContext } from '../errors.js';
import { commitTempSync, ensureDir, fsyncDir, tempName, writeAllSync } from '../atomic-fs.js';
import { blobPath, type FileType } from './blob-key.js';
import { digestsOf } from './hashes.js';
import type { IngestResult, StoreDirs } from './blob-writer.js';
import { assertRegularFile, changedWhileReading, type SourceIdentity } from './source-file.js';

const openAsync = (p: string, flags: number, mode = 0o666) =>
  new Promise<number>((resolve, reject) => fs.open(p, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
const readAsync = (fd: number, buf: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
const fsyncAsync = (fd: number) => new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));

/**
 * Read all of a small regular file. O_NONBLOCK: a fifo put in the file's place since it was checked
 * opens without waiting for a writer, and the fstat below refuses it. `expect` (the caller's earlier
 * stat) must still hold when the read starts; size and mtime must not move during it.
 */
export async function readSmallFile(srcPath: string, expect?: SourceIdentity): Promise<Buffer> {
  let fd: number;
  try {
    fd = await openAsync(srcPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw withContext(`cannot read ${srcPath}`, err);
  }
  try {
    const before = fs.fstatSync(fd, { bigint: true });
    assertRegularFile(srcPath, before);
    const size = Number(before.size);
    if (expect && (expect.size !== size || expect.mtimeNs !== before.mtimeNs)) throw changedWhileReading(srcPath, expect.size, size);
    // Room for one byte more than stat promised, so that a file that grew shows in the read too, not
    // only in the fstat after it. Reading stops at the promised size (no extra round trip for EOF).
    const bytes = Buffer.allocUnsafe(size + 1);
    let got = 0;
    while (got < bytes.length) {
      const n = await readAsync(fd, bytes, got, bytes.length - got, got);
      if (n === 0) break;
      got += n;
      if (got === size) break;
    }
    const after = fs.fstatSync(fd, { bigint: true });
    if (got !== size || after.size !== before.size || after.mtimeNs !== before.mtimeNs) throw changedWhileReading(srcPath, size, got > size ? after.size : got);
    return bytes.subarray(0, size);
  } catch (err) {
    throw err instanceof TroveError ? err : withContext(`cannot read ${srcPath}`, err);
  } finally {
    fs.closeSync(fd);
  }
}

/** Size of the stored blob at `p`, or undefined when there is none. */
function storedSize(p: string): number | undefined {
  return fs.statSync(p, { throwIfNoEntry: false })?.size;
}

/**
 * Hash `bytes` (the whole content of `srcPath`) and store them as one frame. Nothing is compressed or
 * written when the store already holds the content.
 */
export async function storeSmallContent(dirs: StoreDirs, srcPath: string, bytes: Buffer, type: FileType, opts: { syncDir?: boolean } = {}): Promise<IngestResult> {
  const digests = digestsOf(bytes);
  const finalPath = blobPath(dirs.storeDir, type, digests.sha1);
  const existing = storedSize(finalPath);
  if (existing !== undefined) return { ...digests, type, storedBytes: existing, created: false, blobPath: finalPath };
  const frame = await compress(bytes);
  const tmp = tempName(dirs.tmpDir, 'ingest');
  let fd: number | undefined;
  try {
    // Creating a file allocates an inode, which can take the file system a while (ext4 without a
    // journal scans past recently deleted inodes): on the pool, where the main thread does not wait.
    fd = await openAsync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
    writeAllSync(fd, frame);
    await fsyncAsync(fd);
    fs.closeSync(fd);
    fd = undefined;
    await ensureDir(path.dirname(finalPath));
    // Look again and rename with no await in between: another ingest of the same content in this
    // process cannot slip in, so exactly one of them reports `created`.
    const now = storedSize(finalPath);
    if (now !== undefined) {
      fs.rmSync(tmp, { force: true });
      return { ...digests, type, storedBytes: now, created: false, blobPath: finalPath };
    }
    commitTempSync(tmp, finalPath, { syncDir: false });
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw withContext(`cannot add ${srcPath}`, err);
  }
  // The folder fsync, unless the caller batches it for many blobs (it may wait on the disk).
  if (opts.syncDir ?? true) await fsyncDir(path.dirname(finalPath));
  return { ...digests, type, storedBytes: frame.length, created: true, blobPath: finalPath };
}
