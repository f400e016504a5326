// The scan cache's fingerprint: xxh64 of a file's first and last 64 KiB (the whole file when it is at
// most 128 KiB). Cheap enough to check on every rescan, and it catches content rewritten in place with
// its size and mtime preserved (a header patched by a tool that restores mtime, `cp -p` over a file).
import fs from 'node:fs';
import xxhash from 'xxhash-wasm';

export const FINGERPRINT_SPAN_BYTES = 64 * 1024;

type Hasher = Awaited<ReturnType<typeof xxhash>>;
let hasher: Promise<Hasher> | undefined;

/** The wasm xxhash instance (compiled once per process). */
export function fingerprintHasher(): Promise<Hasher> {
  hasher ??= xxhash();
  return hasher;
}

/** Fingerprint of bytes already in memory (the whole file). */
export function fingerprintOfBytes(h: Hasher, bytes: Uint8Array): string {
  if (bytes.length <= 2 * FINGERPRINT_SPAN_BYTES) return h.h64Raw(bytes).toString(16).padStart(16, '0');
  const sample = new Uint8Array(2 * FINGERPRINT_SPAN_BYTES);
  sample.set(bytes.subarray(0, FINGERPRINT_SPAN_BYTES), 0);
  sample.set(bytes.subarray(bytes.length - FINGERPRINT_SPAN_BYTES), FINGERPRINT_SPAN_BYTES);
  return h.h64Raw(sample).toString(16).padStart(16, '0');
}

const sampleBuf = Buffer.allocUnsafe(2 * FINGERPRINT_SPAN_BYTES);

/** Fingerprint read from disk: at most 128 KiB, whatever the file's size. Synchronous on purpose (the rescan fast path). */
export function fingerprintOfFile(h: Hasher, file: string, size: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    let got: number;
    if (size <= 2 * FINGERPRINT_SPAN_BYTES) {
      got = readFully(fd, sampleBuf, 0, size, 0);
    } else {
      got = readFully(fd, sampleBuf, 0, FINGERPRINT_SPAN_BYTES, 0);
      got += readFully(fd, sampleBuf, FINGERPRINT_SPAN_BYTES, FINGERPRINT_SPAN_BYTES, size - FINGERPRINT_SPAN_BYTES);
    }
    return h.h64Raw(sampleBuf.subarray(0, got)).toString(16).padStart(16, '0');
  } finally {
    fs.closeSync(fd);
  }
}

function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, offset + got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
