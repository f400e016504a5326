import { compress } from '@mongodb-js/zstd';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_OUTPUT_BYTES, ZstdFrameSplitter } from '../../../src/store/blob/zstd-frames.js';

async function frames(...parts: Buffer[]): Promise<Buffer[]> {
  return Promise.all(parts.map((p) => compress(p)));
}

function feed(bytes: Buffer, chunk: number): Buffer[] {
  const s = new ZstdFrameSplitter('test');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...s.push(bytes.subarray(i, i + chunk)).map((f) => f.bytes));
  s.end();
  return out;
}

describe('ZstdFrameSplitter', () => {
  it('returns each frame whole, whatever the chunking of the input', async () => {
    const fs = await frames(Buffer.alloc(300_000, 7), Buffer.from('hello'), Buffer.alloc(0), Buffer.from('x'.repeat(200_000) + 'y'));
    const all = Buffer.concat(fs);
    for (const chunk of [1, 3, 4096, all.length]) {
      expect(feed(all, chunk).map((f) => f.toString('hex'))).toEqual(fs.map((f) => f.toString('hex')));
    }
  });

  it('skips skippable frames', async () => {
    const [f] = await frames(Buffer.from('data'));
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18]), Buffer.from([3, 0, 0, 0]), Buffer.from('abc')]);
    expect(feed(Buffer.concat([skippable, f!]), 2)).toHaveLength(1);
  });

  it('rejects a body that is not zstd (an HTML error page) naming the source', () => {
    const s = new ZstdFrameSplitter('rom/ab/abc.zst');
    expect(() => s.push(Buffer.from('<html><body>503 Service Unavailable</body></html>'))).toThrow(/rom\/ab\/abc.zst: not a valid trove blob.*bad magic/);
  });

  it('rejects a stream that ends inside a frame', async () => {
    const [f] = await frames(Buffer.alloc(100_000, 1));
    const s = new ZstdFrameSplitter('t');
    s.push(f!.subarray(0, f!.length - 1));
    expect(() => s.end()).toThrow(/truncated/);
  });

  it('rejects an empty stream', () => {
    expect(() => new ZstdFrameSplitter('t').end()).toThrow(/empty/);
  });

  it('refuses a frame whose blocks would decompress past the bound, before decompressing', () => {
    // A hand-made "bomb": RLE blocks of 128 KiB each, far more than MAX_FRAME_OUTPUT_BYTES in total.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]);
    const rle = (last: boolean) => {
      const v = (128 * 1024) << 3 | (1 << 1) | (last ? 1 : 0);
      return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, 0x41]);
    };
    const count = MAX_FRAME_OUTPUT_BYTES / (128 * 1024) + 2;
    const blocks = Array.from({ length: count }, (_, i) => rle(i === count - 1));
    const s = new ZstdFrameSplitter('bomb');
    expect(() => s.push(Buffer.concat([header, ...blocks]))).toThrow(/would decompress past/);
  });
});
