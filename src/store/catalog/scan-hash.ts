// Hash one scanned file: SHA1, MD5, CRC32 (the DAT digests, via the blob writer's MultiHasher) and the
// cache fingerprint, reading it once. Memory stays bounded: big files are read in 1 MiB chunks.
import fs from 'node:fs/promises';
import { TroveError, withContext } from '../errors.js';
import { MultiHasher } from '../blob/hashes.js';
import { fingerprintHasher, fingerprintOfBytes, FINGERPRINT_SPAN_BYTES } from './scan-fingerprint.js';
import type { FoundFile } from './scan-walk.js';

const WHOLE_READ_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface FileDigests {
  sha1: string;
  crc32: string;
  md5: string;
  fingerprint: string;
}

export async function hashScannedFile(f: FoundFile): Promise<FileDigests> {
  const xx = await fingerprintHasher();
  const hasher = new MultiHasher();
  let fingerprint: string;
  let h: fs.FileHandle;
  try {
    h = await fs.open(f.path, 'r');
  } catch (err) {
    throw withContext(`cannot read ${f.path}`, err);
  }
  try {
    if (f.size <= WHOLE_READ_BYTES) {
      const bytes = await h.readFile();
      if (bytes.length !== f.size) throw changed(f);
      hasher.update(bytes);
      fingerprint = fingerprintOfBytes(xx, bytes);
    } else {
      const head = Buffer.alloc(FINGERPRINT_SPAN_BYTES);
      const tail = Buffer.alloc(FINGERPRINT_SPAN_BYTES);
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      let position = 0;
      for (;;) {
        const { bytesRead } = await h.read(buf, 0, buf.length, position);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hasher.update(chunk);
        if (position < FINGERPRINT_SPAN_BYTES) chunk.copy(head, position, 0, Math.min(bytesRead, FINGERPRINT_SPAN_BYTES - position));
        const tailStart = f.size - FINGERPRINT_SPAN_BYTES;
        if (position + bytesRead > tailStart) {
          const from = Math.max(0, tailStart - position);
          chunk.copy(tail, Math.max(0, position - tailStart), from);
        }
        position += bytesRead;
      }
      if (position !== f.size) throw changed(f);
      fingerprint = fingerprintOfBytes(xx, Buffer.concat([head, tail]));
    }
    const after = await h.stat({ bigint: true });
    if (Number(after.size) !== f.size || after.mtimeNs !== f.mtimeNs) throw changed(f);
  } catch (err) {
    throw err instanceof TroveError ? err : withContext(`cannot read ${f.path}`, err);
  } finally {
    await h.close().catch(() => undefined);
  }
  const d = hasher.digest();
  return { sha1: d.sha1, crc32: d.crc32, md5: d.md5, fingerprint };
}

function changed(f: FoundFile): TroveError {
  return new TroveError('CHANGED_WHILE_READING', `${f.path} changed while it was being read`, { details: { path: f.path } });
}
