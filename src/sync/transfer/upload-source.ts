// What an upload sends: the local blob's bytes, checked as they go out (zstd frames, SHA1, size:
// the decoder downloads use, `decodeBlob`). A blob that rotted on this device must never replace
// a good remote object, from which every other device would then copy the damage.
//
// - Whole objects (up to 8 MiB) are read into memory and checked before the PUT is sent.
// - Streamed objects go out while they are checked, and the stream ends only after the whole blob
//   verified. The remote writer commits on close, which `Remote.write` calls only once the stream
//   ended; a failed check throws out of the stream instead, so the writer is never closed:
//   nothing is committed (fs: the staging file in `.trove-tmp/` is not renamed into place; S3: the
//   multipart upload is never completed). OpenDAL 0.49.1's Node Writer has no abort(), so what the
//   writer staged stays behind: `trove prune-blobs` removes old staging files on fs, and an S3
//   lifecycle rule (AbortIncompleteMultipartUpload) removes unfinished multipart uploads.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { decodeBlob, type ExpectedContent } from '../../store/blob/blob-reader.js';
import { TroveError, isTroveError, withContext } from '../../store/errors.js';

export interface LocalBlob {
  /** The blob file in this device's store. */
  file: string;
  /** Its remote key, for messages. */
  key: string;
  expected: ExpectedContent & { size: number };
}

const label = (b: LocalBlob) => `local blob ${b.expected.sha1} (${b.file})`;

/** A failure to read or decode the local blob, as the item's error: damage names the fix. */
function localFailure(b: LocalBlob, err: unknown): TroveError {
  if (isTroveError(err, 'CHECKSUM_MISMATCH') || isTroveError(err, 'CORRUPT_BLOB')) {
    return new TroveError(
      err.code,
      `upload ${b.key}: ${err.message}; the local copy is damaged and was not uploaded (run \`trove verify\` to check this device's store)`,
      { cause: err, details: { ...err.details, sha1: b.expected.sha1, file: b.file } },
    );
  }
  return withContext(`upload ${b.key}: cannot read the local blob ${b.file}`, err);
}

/** The whole blob, read and checked: only bytes that verified are returned. */
export async function readVerifiedBlob(b: LocalBlob): Promise<Buffer> {
  try {
    const body = await fsp.readFile(b.file);
    for await (const _ of decodeBlob([body], b.expected, label(b))) {
      // decoded bytes are hashed by decodeBlob and dropped here
    }
    return body;
  } catch (err) {
    throw localFailure(b, err);
  }
}

/**
 * The blob's bytes as a stream for a remote writer, checked as they are read. The stream ends
 * normally only once the whole blob verified; otherwise it throws before its end, and the writer
 * (which commits on close, after the last chunk) commits nothing. `onBytes` counts what went out.
 */
export async function* streamVerifiedBlob(b: LocalBlob, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const raw: Buffer[] = [];
  const source = fs.createReadStream(b.file, { highWaterMark: 1024 * 1024 });
  try {
    // Raw chunks wait until the decoder has taken them in, so at most a few frames are held.
    for await (const _ of decodeBlob(source, b.expected, label(b), { onRaw: (c) => void raw.push(c) })) {
      while (raw.length) {
        const c = raw.shift()!;
        onBytes(c.length);
        yield c;
      }
    }
  } catch (err) {
    throw localFailure(b, err);
  } finally {
    source.destroy();
  }
  // decodeBlob returned: frames, SHA1 and size all checked. Only now the stream may end.
  while (raw.length) {
    const c = raw.shift()!;
    onBytes(c.length);
    yield c;
  }
}
