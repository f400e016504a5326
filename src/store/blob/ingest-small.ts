// Ingest of a file of at most one frame (the blob writer's fast path): one read, hashes computed inline,
// and the store is looked up *before* compressing, so content already stored costs a read and a hash.
// The blob it writes is byte-for-byte what the streaming path writes (one zstd frame), with the same
// guarantees: temp file, fsync, rename; CHANGED_WHILE_READING when size or mtime moved during the read;
// on any error the temp file is removed and the store is unchanged.
//
// Why a separate path: for thousands of 16 KiB files the cost is not the bytes but the per-call
// overhead of the thread pool (≈25–50 µs of main-thread time per fs.promises call, a dozen calls per
// file). Here only the calls that can wait — on a slow device or a share (open, read), on the disk
// (fsync), on the file system's locks (creating the temp file, rename) — and zstd run on the pool, and
// so overlap across files; the cheap ones on an open descriptor (fstat, write of a few KiB, close) and
// the store lookup are direct system calls.
import { compress } from '@mongodb-js/zstd';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TroveError, withContext } from '../errors.js';
import { fsyncDir, writeAllSync } from '../atomic-fs.js';
import { commitBlob, settledCommit, usableBlob, type KnownContentLookup } from './blob-commit.js';
import { blobPath, type FileType } from './blob-key.js';
import { digestsOf } from './hashes.js';
import type { IngestResult, StoreDirs } from './blob-writer.js';
import { assertRegularFile, changedWhileReading, type SourceIdentity } from './source-file.js';

const openAsync = (p: string, flags: number, mode = 0o666) =>
  new Promise<number>((resolve, reject) => fs.open(p, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
const readAsync = (fd: number, buf: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
const fsyncAsync = (fd: number) => new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));

// Temp names: pid, a random prefix drawn once per process and a counter (tempName draws random bytes
// per call, which costs more than the rest of naming a file many thousands of times).
const tempPrefix = `.ingest.${process.pid}.${randomBytes(6).toString('hex')}.`;
let tempCounter = 0;
function ingestTempName(tmpDir: string): string {
  return path.join(tmpDir, `${tempPrefix}${(tempCounter++).toString(36)}.tmp`);
}

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

/**
 * Bytes of file content held in memory by small-file ingests at once, whatever the caller's concurrency:
 * eight 2–4 MiB files in flight, each with its zstd context and output, pushed peak RSS past 200 MiB.
 * A file is always admitted when nothing else is held, so one of up to 4 MiB never waits forever.
 */
const HELD_BYTES_LIMIT = 12 * 1024 * 1024;
let heldBytes = 0;
const heldWaiters: (() => void)[] = [];

async function holdBytes(n: number): Promise<void> {
  while (heldBytes > 0 && heldBytes + n > HELD_BYTES_LIMIT) await new Promise<void>((resolve) => heldWaiters.push(resolve));
  heldBytes += n;
}

function releaseBytes(n: number): void {
  heldBytes -= n;
  for (const wake of heldWaiters.splice(0)) wake();
}

/** Read, hash and store a file of at most one frame (see the module comment). */
export async function ingestSmallFile(
  dirs: StoreDirs,
  srcPath: string,
  size: number,
  type: FileType,
  opts: { syncDir?: boolean; expect?: SourceIdentity; known?: KnownContentLookup } = {},
): Promise<IngestResult> {
  await holdBytes(size);
  try {
    const bytes = await readSmallFile(srcPath, opts.expect);
    return await storeSmallContent(dirs, srcPath, bytes, type, { syncDir: opts.syncDir, known: opts.known });
  } finally {
    releaseBytes(size);
  }
}

/**
 * Hash `bytes` (the whole content of `srcPath`) and store them as one frame. Nothing is compressed or
 * written when the store already holds the content (recorded, or a file at its path that verifies);
 * content the catalogue knows is stored under the type it knows (see KnownContent).
 */
export async function storeSmallContent(
  dirs: StoreDirs,
  srcPath: string,
  bytes: Buffer,
  requestedType: FileType,
  opts: { syncDir?: boolean; known?: KnownContentLookup } = {},
): Promise<IngestResult> {
  const digests = digestsOf(bytes);
  const known = opts.known?.(digests.sha1);
  const type = known?.type ?? requestedType;
  const finalPath = blobPath(dirs.storeDir, type, digests.sha1);
  const notCreated = (storedBytes: number): IngestResult => ({ ...digests, type, storedBytes, created: false, blobPath: finalPath });
  await settledCommit(finalPath);
  const existing = await usableBlob(finalPath, digests, known?.recordedBytes);
  if (existing !== undefined) return notCreated(existing);
  const frame = await compress(bytes);
  const tmp = ingestTempName(dirs.tmpDir);
  let fd: number | undefined;
  let committed: { created: boolean; storedBytes?: number };
  try {
    // Creating a file allocates an inode, which can take the file system a while (ext4 without a
    // journal scans past recently deleted inodes), and holds the temp folder's lock meanwhile: create
    // and rename run on the pool, where the main thread does not wait for them.
    fd = await openAsync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
    writeAllSync(fd, frame);
    await fsyncAsync(fd);
    fs.closeSync(fd);
    fd = undefined;
    committed = await commitBlob(tmp, finalPath, digests, { recordedBytes: known?.recordedBytes, syncDir: false });
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw withContext(`cannot add ${srcPath}`, err);
  }
  if (!committed.created) return notCreated(committed.storedBytes!);
  // The folder fsync, unless the caller batches it for many blobs (it may wait on the disk).
  if (opts.syncDir ?? true) await fsyncDir(path.dirname(finalPath));
  return { ...digests, type, storedBytes: frame.length, created: true, blobPath: finalPath };
}
