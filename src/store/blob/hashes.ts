// The digests DATs use, computed in one pass: SHA1 (the content address), MD5 and CRC32.
import { createHash, hash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';

export interface Digests {
  sha1: string;
  md5: string;
  crc32: string;
  size: number;
}

export class MultiHasher {
  private readonly sha1: Hash = createHash('sha1');
  private readonly md5: Hash | undefined;
  private crc = 0;
  size = 0;

  constructor(opts: { md5?: boolean } = {}) {
    this.md5 = opts.md5 === false ? undefined : createHash('md5');
  }

  update(chunk: Uint8Array): void {
    this.sha1.update(chunk);
    this.md5?.update(chunk);
    this.crc = zlib.crc32(chunk, this.crc);
    this.size += chunk.length;
  }

  digest(): Digests {
    return {
      sha1: this.sha1.digest('hex'),
      md5: this.md5 ? this.md5.digest('hex') : '',
      crc32: this.crc.toString(16).padStart(8, '0'),
      size: this.size,
    };
  }
}

/** The digests of bytes already in memory: one-shot hashing, cheaper than a MultiHasher for small inputs. */
export function digestsOf(bytes: Uint8Array): Digests {
  return {
    sha1: hash('sha1', bytes, 'hex'),
    md5: hash('md5', bytes, 'hex'),
    crc32: zlib.crc32(bytes).toString(16).padStart(8, '0'),
    size: bytes.length,
  };
}
