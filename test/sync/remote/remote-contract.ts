// The Remote contract, one suite for every backend (rclone's fstests, Litestream's replica client
// suite): each method's behaviour on present and absent keys, streaming, real sizes in listings,
// and a listing past one page (S3 pages at 1,000 keys).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WHOLE_READ_BYTES, type Remote } from '../../../src/sync/remote/remote.js';
import { isTroveError } from '../../../src/store/errors.js';

export interface BackendFactory {
  name: string;
  /** A fresh, empty remote for one test. */
  make(): Promise<Remote>;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

export function remoteContract(factory: BackendFactory): void {
  describe(`Remote contract: ${factory.name}`, () => {
    it('writes a buffer and reads back the same bytes, whole and streamed', async () => {
      const r = await factory.make();
      const data = randomBytes(70_000);
      await r.write('rom/ab/one.zst', data);
      expect((await r.readAll('rom/ab/one.zst')).equals(data)).toBe(true);
      expect((await collect(r.read('rom/ab/one.zst'))).equals(data)).toBe(true);
    });

    it('writes a stream of chunks larger than one part and reads it back in bounded chunks', async () => {
      const r = await factory.make();
      const data = randomBytes(9 * 1024 * 1024 + 123);
      await r.write('disc/cd/big.zst', chunks(data, 256 * 1024));
      let largest = 0;
      const parts: Buffer[] = [];
      for await (const c of r.read('disc/cd/big.zst')) {
        largest = Math.max(largest, c.length);
        parts.push(c);
      }
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      expect(largest).toBeLessThanOrEqual(1024 * 1024);
      expect((await r.stat('disc/cd/big.zst'))?.size).toBe(data.length);
    });

    it('with a known size up to 8 MiB, read yields the object as one chunk of exactly that size', async () => {
      const r = await factory.make();
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await r.write('rom/ab/whole.zst', data);
      const parts: Buffer[] = [];
      for await (const c of r.read('rom/ab/whole.zst', { size: data.length })) parts.push(c);
      expect(parts.length).toBe(1);
      expect(parts[0]!.equals(data)).toBe(true);
      // Over the limit it streams in bounded chunks as without a size.
      const big = randomBytes(WHOLE_READ_BYTES + 1);
      await r.write('disc/ab/big.zst', big);
      let largest = 0;
      const got: Buffer[] = [];
      for await (const c of r.read('disc/ab/big.zst', { size: big.length })) {
        largest = Math.max(largest, c.length);
        got.push(c);
      }
      expect(Buffer.concat(got).equals(big)).toBe(true);
      expect(largest).toBeLessThanOrEqual(1024 * 1024);
    });

    it('with a known size, a shorter object fails, a longer one yields only the bytes asked for, an absent one is NOT_FOUND', async () => {
      const r = await factory.make();
      await r.write('rom/ab/short.zst', Buffer.from('0123456789'));
      const short = await rejection(collect(r.read('rom/ab/short.zst', { size: 12 })));
      expect(isTroveError(short, 'REMOTE_ERROR')).toBe(true);
      expect((short as Error).message).toContain('rom/ab/short.zst');
      expect((await collect(r.read('rom/ab/short.zst', { size: 4 }))).toString()).toBe('0123');
      expect(isTroveError(await rejection(collect(r.read('rom/00/missing.zst', { size: 10 }))), 'NOT_FOUND')).toBe(true);
    });

    it('does not create the object when the source stream fails part-way', async () => {
      const r = await factory.make();
      async function* failing(): AsyncGenerator<Buffer> {
        yield randomBytes(1000);
        throw new Error('source broke');
      }
      await expect(r.write('rom/ee/broken.zst', failing())).rejects.toThrow('source broke');
      expect(await r.stat('rom/ee/broken.zst')).toBeUndefined();
      expect(await r.list('rom/')).toEqual([]);
    });

    it('replaces an existing object on a plain write', async () => {
      const r = await factory.make();
      await r.write('rom/ab/x.zst', Buffer.from('first version'));
      await r.write('rom/ab/x.zst', Buffer.from('second'));
      expect((await r.readAll('rom/ab/x.zst')).toString()).toBe('second');
    });

    it('refuses an ifNotExists write over an existing key when it claims conditional create, else replaces', async () => {
      const r = await factory.make();
      await r.write('probe/k', Buffer.from('a'));
      const second = r.write('probe/k', Buffer.from('bb'), { ifNotExists: true });
      if (r.features.conditionalCreate) {
        // A claim: s3rver claims it and ignores the header; both outcomes are legal, the error code is not negotiable.
        const outcome = await second.then(
          () => 'replaced',
          (err) => (isTroveError(err, 'ALREADY_EXISTS') ? 'refused' : err),
        );
        expect(['replaced', 'refused']).toContain(outcome);
      } else {
        await second;
        expect((await r.readAll('probe/k')).toString()).toBe('bb');
      }
    });

    it('stat gives the size of a present object and undefined for an absent one', async () => {
      const r = await factory.make();
      await r.write('manual/12/m.zst', Buffer.alloc(4321, 7));
      expect((await r.stat('manual/12/m.zst'))?.size).toBe(4321);
      expect(await r.stat('manual/12/absent.zst')).toBeUndefined();
    });

    it('read and readAll of an absent key throw NOT_FOUND naming the key', async () => {
      const r = await factory.make();
      const e1 = await rejection(r.readAll('rom/00/missing.zst'));
      expect(isTroveError(e1, 'NOT_FOUND')).toBe(true);
      expect((e1 as Error).message).toContain('rom/00/missing.zst');
      const e2 = await rejection(collect(r.read('rom/00/missing.zst')));
      expect(isTroveError(e2, 'NOT_FOUND')).toBe(true);
    });

    it('delete removes one object, and deleting an absent key succeeds', async () => {
      const r = await factory.make();
      await r.write('rom/aa/d1.zst', Buffer.from('1'));
      await r.write('rom/aa/d2.zst', Buffer.from('2'));
      await r.delete('rom/aa/d1.zst');
      await r.delete('rom/aa/never-there.zst');
      expect((await r.list('rom/')).map((e) => e.key)).toEqual(['rom/aa/d2.zst']);
    });

    it('lists recursively with real sizes, and an absent prefix lists empty', async () => {
      const r = await factory.make();
      await r.write('rom/aa/1.zst', Buffer.alloc(10));
      await r.write('rom/bb/2.zst', Buffer.alloc(2000));
      await r.write('rom/bb/deeper/3.zst', Buffer.alloc(1));
      await r.write('manual/cc/4.zst', Buffer.alloc(5));
      expect(await r.list('rom/')).toEqual([
        { key: 'rom/aa/1.zst', size: 10 },
        { key: 'rom/bb/2.zst', size: 2000 },
        { key: 'rom/bb/deeper/3.zst', size: 1 },
      ]);
      expect(await r.list('screenshot/')).toEqual([]);
    });

    it('lists more than 1,000 keys under one prefix (past the first page)', async () => {
      const r = await factory.make();
      const keys = Array.from({ length: 1100 }, (_, i) => `rom/${(i % 256).toString(16).padStart(2, '0')}/${String(i).padStart(5, '0')}.zst`);
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < keys.length) {
            const k = keys[next++]!;
            await r.write(k, Buffer.alloc(1 + (k.length % 7)));
          }
        }),
      );
      const listed = await r.list('rom/');
      expect(listed.length).toBe(1100);
      expect(new Set(listed.map((e) => e.key))).toEqual(new Set(keys));
      expect(listed.every((e) => e.size === 1 + (e.key.length % 7))).toBe(true);
    });

    it('names the remote in errors and never prints credentials', async () => {
      const r = await factory.make();
      const err = (await rejection(r.readAll('rom/00/missing.zst'))) as Error;
      expect(err.message).toContain(r.description);
      expect(r.description).not.toMatch(/S3RVER|secret/i);
    });
  });
}
