// Reading snapshot metadata from a remote that anyone with write access to the bucket may have filled
// with anything: no object is read whole into memory unless its size is known to be sane first.
// - Metadata without a declared size (manifests, tombstones, base markers; trove writes 0.1–2 KB):
//   refused over METADATA_MAX_BYTES, judged by the size the listing returned (else a stat), before a
//   byte of it is read; then exactly that many bytes are fetched.
// - Objects whose stored size a manifest or chunk index records (chunk index, chunks, file lists,
//   database blobs): read whole, exactly the recorded range is fetched; streamed, the stream stops one
//   read past `storedBound`. A larger object is refused as damaged.
import { isTroveError, TroveError } from '../../store/errors.js';
import type { Remote } from '../remote/remote.js';

/** Far above any manifest (1–2 KB), tombstone or base marker (~100 B) trove writes. */
export const METADATA_MAX_BYTES = 1024 * 1024;

/**
 * A metadata object (`what`: "manifest", "tombstone", "base marker") whole, at most
 * METADATA_MAX_BYTES. `listedSize`: its size from a listing of this remote, saving a stat.
 * Throws CORRUPT_SNAPSHOT naming the key when it is larger, NOT_FOUND when absent.
 */
export async function readMetadataObject(remote: Remote, key: string, what: string, listedSize?: number): Promise<Buffer> {
  let size = listedSize;
  if (size === undefined) {
    const st = await remote.stat(key);
    if (!st) throw new TroveError('NOT_FOUND', `${what} ${key} is not on ${remote.description}`, { details: { key } });
    size = st.size;
  }
  if (size > METADATA_MAX_BYTES) {
    throw new TroveError(
      'CORRUPT_SNAPSHOT',
      `${what} ${key} on ${remote.description} is ${size} bytes, more than any trove writes (limit ${METADATA_MAX_BYTES}): not read; remove it if it is not yours`,
      { details: { key, size, limit: METADATA_MAX_BYTES } },
    );
  }
  if (size === 0) return Buffer.alloc(0);
  const max = size;
  return collect(remote.read(key, { size }), size, () => new TroveError('CORRUPT_SNAPSHOT', `${what} ${key} on ${remote.description} holds more than the ${max} bytes listed`, { details: { key } }));
}

/**
 * The most a zstd encoding of `plain` bytes may take that trove accepts: zstd's own worst case is
 * plain + plain/256 + a few hundred bytes; frames and headers add a little. Objects are kept when they
 * hold the right content in another size (another zstd build wrote them), so a recorded size is a
 * hint, and this is the hard limit.
 */
export function storedBound(recorded: number, plain: number): number {
  return Math.max(recorded, plain + Math.ceil(plain / 64) + 64 * 1024);
}

/**
 * An object whose stored size a manifest or chunk index records (`recorded`; `plain`: its decoded
 * size), read whole into memory and handed to `decode` (which verifies it). First exactly the recorded
 * range is fetched — one request, and a planted giant under the key costs no more than the real
 * object. Only when that does not verify is the object stat'ed: one of another size within
 * `storedBound` (the same content from another zstd build) is read in its real size; a larger one is
 * refused CORRUPT_BLOB without being read. A recorded size past `storedBound` of the content's own
 * size (a forged manifest or index) is refused CORRUPT_SNAPSHOT before anything is fetched.
 */
export async function readDeclaredObject<T>(
  remote: Remote,
  key: string,
  size: { recorded: number; plain: number },
  label: string,
  decode: (raw: Buffer) => Promise<T>,
): Promise<T> {
  if (size.recorded > storedBound(0, size.plain)) {
    // A forged manifest or chunk index: no zstd encoding of `plain` bytes takes this much.
    throw new TroveError('CORRUPT_SNAPSHOT', `${label}: ${key} is recorded as ${size.recorded} bytes for ${size.plain} bytes of content, more than any zstd encoding takes: not read`, {
      details: { key, recorded: size.recorded, plain: size.plain },
    });
  }
  let first: unknown;
  try {
    return await decode(await readExactly(remote, key, size.recorded, label));
  } catch (err) {
    // A ranged read of more than the object holds fails as a plain remote error.
    if (!isTroveError(err, 'CORRUPT_BLOB') && !isTroveError(err, 'CHECKSUM_MISMATCH') && !isTroveError(err, 'REMOTE_ERROR')) throw err;
    first = err;
  }
  const st = await remote.stat(key);
  if (!st || st.size === size.recorded) throw first;
  const bound = storedBound(size.recorded, size.plain);
  if (st.size > bound) {
    throw new TroveError('CORRUPT_BLOB', `${label}: ${key} is ${st.size} bytes on ${remote.description}, ${size.recorded} recorded: damaged or replaced (not read)`, {
      cause: first,
      details: { key, size: st.size, recorded: size.recorded },
    });
  }
  return decode(await readExactly(remote, key, st.size, label));
}

async function readExactly(remote: Remote, key: string, size: number, label: string): Promise<Buffer> {
  const over = () => new TroveError('CORRUPT_BLOB', `${label}: ${key} on ${remote.description} holds more than ${size} bytes`, { details: { key, size } });
  return collect(remote.read(key, { size }), size, over);
}

/**
 * `source` (a streamed remote read of `ref.key`) passed through, failing CORRUPT_BLOB as soon as more
 * than `storedBound` of the recorded size arrived: a planted giant stops one read (≤ 1 MiB) past it
 * instead of running through all of it.
 */
export async function* recordedBytes(source: AsyncIterable<Buffer>, ref: { key: string; size: number; compressed_size: number }, label: string): AsyncGenerator<Buffer> {
  const bound = storedBound(ref.compressed_size, ref.size);
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > bound) {
      throw new TroveError('CORRUPT_BLOB', `${label}: ${ref.key} is larger than the ${ref.compressed_size} bytes recorded for it (damaged or replaced); stopped after ${seen} bytes`, {
        details: { key: ref.key, recorded: ref.compressed_size },
      });
    }
    yield chunk;
  }
}

async function collect(source: AsyncIterable<Buffer>, max: number, over: () => TroveError): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    if (n > max) throw over();
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
}
