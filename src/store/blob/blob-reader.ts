// Reading a blob back: split the zstd stream into frames, decompress up to two at once, and check
// SHA1 and size. Output past the expected size stops at once (no decompression bombs); a mismatch
// at the end throws CHECKSUM_MISMATCH. Callers write output to a temp file and rename it only after
// the generator finished without throwing.
import { decompress } from '@mongodb-js/zstd';
import { createHash } from 'node:crypto';
import fsSync from 'node:fs';
import { TroveError } from '../errors.js';
import { ZstdFrameSplitter, type Frame } from './zstd-frames.js';

export interface ExpectedContent {
  sha1: string;
  /** When unknown (a blob found on disk with no catalogue row), only the SHA1 is checked. */
  size?: number;
}

async function decompressFrame(frame: Frame, label: string): Promise<Buffer> {
  let out: Buffer;
  try {
    out = await decompress(frame.bytes);
  } catch (err) {
    throw new TroveError('CORRUPT_BLOB', `${label}: zstd frame does not decompress (${(err as Error).message})`, { cause: err });
  }
  if (out.length > frame.maxOutputBytes) throw new TroveError('CORRUPT_BLOB', `${label}: frame decompressed past its block bound`);
  return out;
}

/**
 * Decode a blob from any byte source (local file, remote stream, buffers in memory). Yields plain chunks in order.
 * `onRaw` sees every compressed chunk first, so a download can keep the blob bytes while verifying.
 */
export async function* decodeBlob(
  source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
  expected: ExpectedContent,
  label: string,
  opts: { onRaw?: (chunk: Buffer) => Promise<void> | void; parallel?: number } = {},
): AsyncGenerator<Buffer> {
  const parallel = opts.parallel ?? 2;
  const splitter = new ZstdFrameSplitter(label);
  const hash = createHash('sha1');
  let produced = 0;
  const pending: Promise<Buffer>[] = [];
  const take = async (): Promise<Buffer> => {
    const out = await pending.shift()!;
    produced += out.length;
    if (expected.size !== undefined && produced > expected.size) {
      throw new TroveError('CHECKSUM_MISMATCH', `${label}: decompresses past its recorded size of ${expected.size} bytes`, {
        details: { sha1: expected.sha1 },
      });
    }
    hash.update(out);
    return out;
  };
  try {
    for await (const raw of source) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (opts.onRaw) await opts.onRaw(chunk);
      for (const frame of splitter.push(chunk)) {
        const p = decompressFrame(frame, label);
        p.catch(() => undefined);
        pending.push(p);
        while (pending.length > parallel) yield await take();
      }
    }
    splitter.end();
    while (pending.length) yield await take();
  } finally {
    await Promise.allSettled(pending);
  }
  const sha1 = hash.digest('hex');
  if (sha1 !== expected.sha1 || (expected.size !== undefined && produced !== expected.size)) {
    throw new TroveError(
      'CHECKSUM_MISMATCH',
      `${label}: checksum mismatch (expected sha1 ${expected.sha1}${expected.size !== undefined ? ` size ${expected.size}` : ''}, got sha1 ${sha1} size ${produced})`,
      { details: { sha1: expected.sha1, actual: sha1 } },
    );
  }
}

export function readBlobFile(blobFile: string, expected: ExpectedContent, label = `blob ${expected.sha1}`): AsyncGenerator<Buffer> {
  return decodeBlob(fsSync.createReadStream(blobFile, { highWaterMark: 1024 * 1024 }), expected, label);
}

/** Read the whole blob, checking it; returns the decompressed size. */
export async function verifyBlobFile(blobFile: string, expected: ExpectedContent, label?: string): Promise<number> {
  let size = 0;
  for await (const chunk of readBlobFile(blobFile, expected, label)) size += chunk.length;
  return size;
}
