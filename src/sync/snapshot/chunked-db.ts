// Snapshot databases stored as page-aligned chunks kept by hash, so that a push after a small edit
// uploads only the chunks whose pages changed (restic's and borg's idea, with fixed boundaries: a
// SQLite file changes in place, page by page, so fixed page-aligned chunks line up across versions).
// Each chunk is one zstd frame at `metadata/chunks/<sha1[0:2]>/<sha1>.zst` (sha1 of its plain bytes);
// the chunk index (`trove-chunks 1 <chunk_bytes>\n`, then per chunk 20 bytes of SHA1 and a 4-byte
// big-endian compressed size) is itself content-addressed and named by the manifest.
import { compress } from '@mongodb-js/zstd';
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import { decodeBlob } from '../../store/blob/blob-reader.js';
import { TroveError } from '../../store/errors.js';
import pLimit from '../../store/limit.js';
import type { Remote } from '../remote/remote.js';
import { readDeclaredObject, storedBound } from './bounded-read.js';
import { canonicalizeHeaderBytes } from './fingerprint.js';
import { decodeChunkIndex, encodeChunkIndex, type ChunkEntry } from './chunk-index.js';
import { chunkIndexKey, chunkKey, type DatabaseRef } from './manifest.js';

/** 64 KiB: 16 pages of 4 KiB (SQLite's default), a multiple of every page size up to 64 KiB. */
export const CHUNK_BYTES = 64 * 1024;
/** For databases of at least LARGE_DB_BYTES: 256 KiB chunks. */
export const LARGE_CHUNK_BYTES = 256 * 1024;
export const LARGE_DB_BYTES = 128 * 1024 * 1024;

/**
 * The chunk size for a database of `size` bytes. An edit touches a roughly fixed number of chunks
 * (~25 for 10 releases), so small chunks keep small pushes small; but every chunk is one object, and
 * a first push of a 150 MB catalogue in 64 KiB chunks is ~2,300 of them (most of its time, and PUT
 * requests cost money on S3). From 128 MiB on, 256 KiB chunks: a quarter of the objects, while 10
 * edited releases still upload under 5% of the snapshot. Growing past the threshold re-uploads the
 * database once in the new size (chunks are found by content).
 */
export function chunkBytesFor(size: number): number {
  return size >= LARGE_DB_BYTES ? LARGE_CHUNK_BYTES : CHUNK_BYTES;
}

/**
 * A small object (a chunk, an index) whole, decoded and verified. `stored`: its stored (compressed)
 * size as the index or manifest records it; the read is bounded by it (bounded-read.ts), so a planted
 * giant under the key costs no memory.
 */
async function readAllVerified(remote: Remote, key: string, expected: { sha1: string; size: number }, label: string, stored: number): Promise<Buffer> {
  return readDeclaredObject(remote, key, { recorded: stored, plain: expected.size }, label, async (raw) => {
    const parts: Buffer[] = [];
    for await (const c of decodeBlob([raw], expected, label)) parts.push(c);
    return Buffer.concat(parts);
  });
}

/** Chunks that may already be on this device: the base snapshot's chunk at each offset of collection.db. */
export interface LocalChunks {
  file: string;
  chunkBytes: number;
  /** chunk sha1 → byte offset in `file` where the base had it. */
  offsets: Map<string, number>;
}

export function localChunksFrom(file: string, chunkBytes: number, baseEntries: readonly ChunkEntry[]): LocalChunks {
  const offsets = new Map<string, number>();
  baseEntries.forEach((e, i) => {
    if (!offsets.has(e.sha1)) offsets.set(e.sha1, i * chunkBytes);
  });
  return { file, chunkBytes, offsets };
}

/** The chunk from the local file if its bytes (header made canonical) still hash to `sha1`. */
async function readLocalChunk(h: fsp.FileHandle, local: LocalChunks, sha1: string, size: number): Promise<Buffer | undefined> {
  const offset = local.offsets.get(sha1);
  if (offset === undefined) return undefined;
  try {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await h.read(buf, 0, size, offset);
    if (bytesRead !== size) return undefined;
    if (offset === 0) {
      const tmp = Buffer.from(buf.subarray(0, Math.min(100, size)));
      canonicalizeHeaderBytes(tmp);
      tmp.copy(buf, 0);
    }
    return createHash('sha1').update(buf).digest('hex') === sha1 ? buf : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the chunk stored at `key` (`stored` bytes, from a stat) holds `expected`. */
async function decodesTo(remote: Remote, key: string, expected: { sha1: string; size: number }, stored: number): Promise<boolean> {
  if (stored > storedBound(0, expected.size)) return false; // not read: damaged or planted, replaced
  try {
    await readAllVerified(remote, key, expected, key, stored);
    return true;
  } catch (err) {
    if (err instanceof TroveError && (err.code === 'CHECKSUM_MISMATCH' || err.code === 'CORRUPT_BLOB')) return false;
    throw err;
  }
}

/** The chunk index a chunked database ref names, verified. */
export async function loadChunkIndex(remote: Remote, ref: DatabaseRef, label: string): Promise<ChunkEntry[]> {
  const idx = await readAllVerified(remote, ref.key, { sha1: ref.index!.sha1, size: ref.index!.size }, `${label}: chunk index ${ref.key}`, ref.index!.compressed_size);
  const { chunkBytes, entries } = decodeChunkIndex(idx, label);
  if (chunkBytes !== ref.chunk_bytes || entries.length !== Math.ceil(ref.size / chunkBytes) || (ref.size === 0 && entries.length !== 0)) {
    throw new TroveError('CORRUPT_SNAPSHOT', `${label}: chunk index does not match the database size`);
  }
  return entries;
}

export interface ChunkedUpload {
  ref: DatabaseRef;
  uploadedBytes: number;
}

/**
 * Upload `file` (a canonical snapshot copy, not written meanwhile) as chunks, hashing it whole on the way. `known` maps chunk sha1 →
 * compressed size for chunks already on the remote (from the base snapshot's index): those are
 * neither compressed nor uploaded. Others are checked with stat (a crash may have left them) and
 * written only when absent or damaged. The index goes last; the caller writes the manifest after.
 */
/** How much of the file one read brings in (a whole number of chunks). */
const READ_BLOCK_BYTES = 1024 * 1024;

export async function uploadChunked(remote: Remote, file: string, known: ReadonlyMap<string, number>, chunkSize?: number): Promise<ChunkedUpload> {
  const h = await fsp.open(file, 'r');
  const whole = { size: (await h.stat()).size, hash: createHash('sha1') };
  const chunkBytes = chunkSize ?? chunkBytesFor(whole.size);
  const entries: ChunkEntry[] = [];
  const sizes = new Map(known);
  const limit = pLimit(16);
  const pending: Promise<void>[] = [];
  let uploadedBytes = 0;
  // Many unknown chunks (a first push): one listing says which exist, instead of a stat per chunk.
  // Listed sizes are not trusted (0 on fs): listed chunks are still stat'ed before being skipped.
  let listed: Set<string> | undefined;
  if (whole.size / chunkBytes - known.size > 256) listed = new Set((await remote.list('metadata/chunks/')).map((e) => e.key));
  let failed: unknown;
  try {
    // Read in blocks of many chunks (one thread-pool trip per block, not per 64 KiB chunk).
    const blockBytes = chunkBytes * Math.max(1, Math.floor(READ_BLOCK_BYTES / chunkBytes));
    let block = Buffer.alloc(0);
    let blockStart = 0;
    for (let offset = 0; offset < whole.size; offset += chunkBytes) {
      if (failed) break;
      if (offset >= blockStart + block.length) {
        block = Buffer.allocUnsafe(Math.min(blockBytes, whole.size - offset));
        blockStart = offset;
        const { bytesRead } = await h.read(block, 0, block.length, offset);
        if (bytesRead !== block.length) throw new TroveError('CHANGED_WHILE_READING', `${file} shrank while it was being uploaded`);
      }
      const buf = block.subarray(offset - blockStart, Math.min(offset - blockStart + chunkBytes, block.length));
      whole.hash.update(buf);
      const sha1 = createHash('sha1').update(buf).digest('hex');
      const seen = sizes.get(sha1);
      entries.push({ sha1, compressedSize: seen ?? -1 });
      if (seen !== undefined) continue; // on the remote already, or claimed by an earlier repeat in this file
      sizes.set(sha1, -1);
      const p = limit(async () => {
        const zst = await compress(buf);
        sizes.set(sha1, zst.length);
        const key = chunkKey(sha1);
        const st = listed && !listed.has(key) ? undefined : await remote.stat(key);
        if (st && st.size === zst.length) return;
        // Present with another size: keep it if it holds this content (another zstd build), else it
        // is the remains of an interrupted upload and is replaced.
        if (st && (await decodesTo(remote, key, { sha1, size: buf.length }, st.size))) {
          sizes.set(sha1, st.size); // the index records what is stored, so reads fetch it exactly
          return;
        }
        await remote.write(key, zst);
        uploadedBytes += zst.length;
      });
      p.catch((err) => (failed ??= err));
      pending.push(p);
      if (pending.length >= 32) await Promise.all(pending.splice(0, 16));
    }
    await Promise.all(pending);
  } finally {
    await Promise.allSettled(pending);
    await h.close();
  }
  if (failed) throw failed;
  const wholeSha1 = whole.hash.digest('hex');
  for (const e of entries) if (e.compressedSize < 0) e.compressedSize = sizes.get(e.sha1)!;
  const index = encodeChunkIndex(chunkBytes, entries);
  const indexSha1 = createHash('sha1').update(index).digest('hex');
  const indexZst = await compress(index);
  const indexKey = chunkIndexKey(indexSha1);
  const st = await remote.stat(indexKey);
  if (!st || st.size !== indexZst.length) {
    await remote.write(indexKey, indexZst);
    uploadedBytes += indexZst.length;
  }
  return {
    ref: {
      format: 'chunks',
      key: indexKey,
      sha1: wholeSha1,
      size: whole.size,
      compressed_size: entries.reduce((n, e) => n + e.compressedSize, 0),
      chunk_bytes: chunkBytes,
      index: { sha1: indexSha1, size: index.length, compressed_size: indexZst.length },
    },
    uploadedBytes,
  };
}

/**
 * The plain bytes of a chunked database, in order, each chunk verified; up to 16 fetched ahead.
 * With `local`, a chunk whose bytes this device still has (same SHA1) is read from disk instead.
 */
export async function* readChunked(remote: Remote, ref: DatabaseRef, label: string, local?: LocalChunks, stats?: { localChunks: number; downloadedChunks: number }): AsyncGenerator<Buffer> {
  const entries = await loadChunkIndex(remote, ref, label);
  const chunkBytes = ref.chunk_bytes!;
  const localFile = local && local.chunkBytes === chunkBytes ? await fsp.open(local.file, 'r').catch(() => undefined) : undefined;
  const fetch = async (i: number): Promise<Buffer> => {
    const size = Math.min(chunkBytes, ref.size - i * chunkBytes);
    if (local && localFile) {
      const mine = await readLocalChunk(localFile, local, entries[i]!.sha1, size);
      if (mine) {
        if (stats) stats.localChunks++;
        return mine;
      }
    }
    if (stats) stats.downloadedChunks++;
    const key = chunkKey(entries[i]!.sha1);
    return readAllVerified(remote, key, { sha1: entries[i]!.sha1, size }, `${label}: chunk ${key}`, entries[i]!.compressedSize).catch((err: unknown) => {
      if (err instanceof TroveError && err.code === 'NOT_FOUND') throw new TroveError('NOT_FOUND', `chunk ${key} is missing`, { cause: err, details: { key } });
      throw err;
    });
  };
  const ahead: Promise<Buffer>[] = [];
  let next = 0;
  try {
    while (next < entries.length || ahead.length) {
      while (ahead.length < 16 && next < entries.length) {
        const p = fetch(next++);
        p.catch(() => undefined);
        ahead.push(p);
      }
      yield await ahead.shift()!;
    }
  } finally {
    await Promise.allSettled(ahead);
    await localFile?.close();
  }
}

/** Every chunk key a chunked database uses (for prune). */
export async function chunkKeysOf(remote: Remote, ref: DatabaseRef, label: string): Promise<string[]> {
  return (await loadChunkIndex(remote, ref, label)).map((e) => chunkKey(e.sha1));
}
