// Splits a byte stream of concatenated zstd frames into whole frames without decompressing, so each
// frame can be decompressed on its own (in parallel, with bounded memory). Parsing the block headers
// also bounds each frame's decompressed size before we decompress it: a hostile "zstd bomb" or a
// non-zstd body (an HTML error page) is rejected here. Format: RFC 8878.
import { TroveError } from '../errors.js';

const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;
/** Our writer puts at most 8 MiB of input in a frame; anything above this bound is refused. */
export const MAX_FRAME_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface Frame {
  /** The whole frame, ready for decompress(). Empty for skippable frames (they are dropped). */
  bytes: Buffer;
  /** Upper bound of its decompressed size, from the block headers. */
  maxOutputBytes: number;
}

type Phase = 'magic' | 'header' | 'block' | 'checksum' | 'skippable';

export class ZstdFrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of the current frame already parsed (offset into the buffered chunks). */
  private parsed = 0;
  private phase: Phase = 'magic';
  private needBytes = 4;
  private hasChecksum = false;
  private maxOut = 0;
  private skipBytes = 0;
  private framesSeen = 0;
  private totalIn = 0;

  constructor(private readonly label: string) {}

  private fail(reason: string): never {
    throw new TroveError('CORRUPT_BLOB', `${this.label}: not a valid trove blob at byte ${this.totalIn - this.buffered + this.parsed}: ${reason}`);
  }

  private bytesAt(offset: number, n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    let pos = 0;
    for (const c of this.chunks) {
      if (copied === n) break;
      const end = pos + c.length;
      if (end > offset + copied) {
        const start = offset + copied - pos;
        copied += c.copy(out, copied, start, Math.min(c.length, start + (n - copied)));
      }
      pos = end;
    }
    return out;
  }

  private takeFrame(length: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const frame = all.subarray(0, length);
    const rest = all.subarray(length);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.parsed = 0;
    return frame;
  }

  /** Feed bytes; returns the frames completed by them, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (chunk.length) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.totalIn += chunk.length;
    }
    for (;;) {
      if (this.phase === 'skippable') {
        // Drop skippable content as it arrives instead of buffering it.
        const drop = Math.min(this.skipBytes, this.buffered);
        if (drop > 0) {
          this.takeFrame(drop);
          this.skipBytes -= drop;
        }
        if (this.skipBytes > 0) return frames;
        this.phase = 'magic';
        this.needBytes = 4;
        continue;
      }
      if (this.buffered - this.parsed < this.needBytes) return frames;
      switch (this.phase) {
        case 'magic': {
          const head = this.bytesAt(this.parsed, 4);
          const magic = head.readUInt32LE(0);
          if (magic === ZSTD_MAGIC) {
            this.phase = 'header';
            this.needBytes = 6; // magic + descriptor + enough to know the header size below
          } else if ((magic & 0xfffffff0) === 0x184d2a50) {
            if (this.buffered - this.parsed < 8) {
              this.needBytes = 8;
              return frames;
            }
            this.skipBytes = this.bytesAt(this.parsed + 4, 4).readUInt32LE(0) + 8;
            this.phase = 'skippable';
          } else {
            this.fail(`bad magic ${head.toString('hex')}`);
          }
          break;
        }
        case 'header': {
          const d = this.bytesAt(this.parsed + 4, 1)[0]!;
          if (d & 0x08) this.fail('reserved bit set in frame header');
          const fcsFlag = d >> 6;
          const singleSegment = (d >> 5) & 1;
          const dictFlag = d & 3;
          this.hasChecksum = ((d >> 2) & 1) === 1;
          const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
          const headerBytes = 4 + 1 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag]! + fcsBytes;
          if (this.buffered - this.parsed < headerBytes) {
            this.needBytes = headerBytes;
            return frames;
          }
          if (dictFlag !== 0) this.fail('frames with dictionaries are not used by trove');
          this.parsed += headerBytes;
          this.maxOut = 0;
          this.phase = 'block';
          this.needBytes = 3;
          break;
        }
        case 'block': {
          const h = this.bytesAt(this.parsed, 3);
          const v = h[0]! | (h[1]! << 8) | (h[2]! << 16);
          const last = v & 1;
          const type = (v >> 1) & 3;
          const size = v >>> 3;
          let body: number;
          if (type === 0) {
            body = size;
            this.maxOut += size;
          } else if (type === 1) {
            body = 1;
            this.maxOut += size;
          } else if (type === 2) {
            if (size > BLOCK_MAX) this.fail(`compressed block of ${size} bytes`);
            body = size;
            this.maxOut += BLOCK_MAX;
          } else {
            this.fail('reserved block type');
          }
          if (size > BLOCK_MAX) this.fail(`block of ${size} bytes`);
          if (this.maxOut > MAX_FRAME_OUTPUT_BYTES) this.fail(`frame would decompress past ${MAX_FRAME_OUTPUT_BYTES} bytes`);
          if (this.buffered - this.parsed < 3 + body) {
            this.needBytes = 3 + body;
            return frames;
          }
          this.parsed += 3 + body;
          this.needBytes = 3;
          if (last) {
            if (this.hasChecksum) {
              this.phase = 'checksum';
              this.needBytes = 4;
            } else {
              frames.push({ bytes: this.takeFrame(this.parsed), maxOutputBytes: this.maxOut });
              this.framesSeen++;
              this.phase = 'magic';
              this.needBytes = 4;
            }
          }
          break;
        }
        case 'checksum': {
          this.parsed += 4;
          frames.push({ bytes: this.takeFrame(this.parsed), maxOutputBytes: this.maxOut });
          this.framesSeen++;
          this.phase = 'magic';
          this.needBytes = 4;
          break;
        }
      }
    }
  }

  /** Call at end of input: throws if the stream stopped inside a frame or held no frame at all. */
  end(): void {
    if (this.buffered > 0 || this.phase !== 'magic') this.fail('truncated (stream ends inside a frame)');
    if (this.framesSeen === 0) this.fail('empty (no zstd frame)');
  }
}
