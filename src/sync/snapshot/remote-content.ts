// Moving content-addressed snapshot objects (database blobs, file lists) to and from the remote.
// Uploads never replace a good object: an existing key is kept when it has the expected size, or when
// it decodes to the expected content; only an object proven damaged (an interrupted upload) is
// rewritten. Downloads are decoded and verified (SHA1 and size) into a temp file before anyone uses them.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { decodeBlob } from '../../store/blob/blob-reader.js';
import { tempName } from '../../store/atomic-fs.js';
import { isTroveError, TroveError } from '../../store/errors.js';
import type { Remote } from '../remote/remote.js';
import { createHash } from 'node:crypto';
import { recordedBytes } from './bounded-read.js';
import { readChunked, type LocalChunks } from './chunked-db.js';
import type { ContentRef, DatabaseRef } from './manifest.js';

async function decodesTo(remote: Remote, ref: ContentRef, label: string): Promise<boolean> {
  try {
    for await (const _ of decodeBlob(recordedBytes(remote.read(ref.key), ref, label), { sha1: ref.sha1, size: ref.size }, label)) void _;
    return true;
  } catch (err) {
    if (isTroveError(err, 'CHECKSUM_MISMATCH') || isTroveError(err, 'CORRUPT_BLOB')) return false;
    throw err;
  }
}

/** Upload `localFile` (already compressed) to `ref.key` unless the remote holds it. Returns bytes sent. */
export async function uploadIfAbsent(remote: Remote, ref: ContentRef, localFile: string): Promise<number> {
  const st = await remote.stat(ref.key);
  if (st && st.size === ref.compressed_size) return 0;
  if (st && (await decodesTo(remote, ref, `${ref.key} on ${remote.description}`))) return 0;
  await remote.write(ref.key, fs.createReadStream(localFile, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>);
  return ref.compressed_size;
}

/** Download and verify `ref` into a temp file in `tmpDir`; returns its path. Nothing is left behind on error. */
export async function downloadVerified(
  remote: Remote,
  ref: ContentRef,
  tmpDir: string,
  label: string,
  onChunk?: (c: Buffer) => void,
  local?: LocalChunks,
): Promise<string> {
  const out = tempName(tmpDir, 'snapshot-download');
  const h = await fsp.open(out, 'wx', 0o600);
  try {
    try {
      if ((ref as DatabaseRef).format === 'chunks') {
        // Each chunk is verified as it arrives; the whole file is checked against the manifest here.
        const whole = createHash('sha1');
        let size = 0;
        for await (const chunk of readChunked(remote, ref as DatabaseRef, label, local)) {
          whole.update(chunk);
          size += chunk.length;
          onChunk?.(chunk);
          await h.write(chunk);
        }
        const sha1 = whole.digest('hex');
        if (sha1 !== ref.sha1 || size !== ref.size) {
          throw new TroveError('CHECKSUM_MISMATCH', `${label}: checksum mismatch (expected sha1 ${ref.sha1} size ${ref.size}, got sha1 ${sha1} size ${size})`);
        }
      } else {
        for await (const chunk of decodeBlob(recordedBytes(remote.read(ref.key), ref, label), { sha1: ref.sha1, size: ref.size }, label)) {
          onChunk?.(chunk);
          await h.write(chunk);
        }
      }
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) {
        throw new TroveError('CORRUPT_SNAPSHOT', `${label}: blob ${typeof err.details.key === 'string' ? err.details.key : ref.key} is missing from ${remote.description}`, { cause: err, details: { key: ref.key } });
      }
      if (isTroveError(err, 'CHECKSUM_MISMATCH') || isTroveError(err, 'CORRUPT_BLOB')) {
        throw new TroveError('CORRUPT_SNAPSHOT', `${label}: ${err.message}`, { cause: err, details: { key: ref.key } });
      }
      throw err;
    }
    await h.sync();
    await h.close();
    return out;
  } catch (err) {
    await h.close().catch(() => undefined);
    await fsp.rm(out, { force: true });
    throw err;
  }
}

/** A small verified object whole in memory (file lists). */
export async function downloadVerifiedBuffer(remote: Remote, ref: ContentRef, label: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of decodeBlob(recordedBytes(remote.read(ref.key), ref, label), { sha1: ref.sha1, size: ref.size }, label)) parts.push(chunk);
  return Buffer.concat(parts);
}
