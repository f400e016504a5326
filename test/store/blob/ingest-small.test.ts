// The blob writer's fast path for files of at most one frame: same blob, same guarantees as the
// streaming path, fewer system calls.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../../src/store/blob/blob-writer.js';
import { verifyBlobFile } from '../../../src/store/blob/blob-reader.js';
import { writeAllSync } from '../../../src/store/atomic-fs.js';
import { contentBytes } from '../../../fixtures/content.js';
import { useStoreDirs } from '../../helpers/store-dirs.js';

const hasZstd = spawnSync('zstd', ['--version']).status === 0;
const fx = useStoreDirs();

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const identity = (p: string) => {
  const st = fs.statSync(p, { bigint: true });
  return { size: Number(st.size), mtimeNs: st.mtimeNs };
};

describe('small-file ingest', () => {
  it('writes one standard zstd frame with the digests of the streaming path', async () => {
    const data = contentBytes('one-frame', 16 * 1024);
    const src = path.join(fx.dir, 'a.bin');
    fs.writeFileSync(src, data);
    const small = await ingestFile(fx.dirs, src, 'rom');
    // The same content through the streaming path (frames smaller than the file) hashes the same.
    const streamed = await ingestFile(fx.dirs, src, 'manual', { frameBytes: 4096 });
    expect(small).toMatchObject({ sha1: streamed.sha1, md5: streamed.md5, crc32: streamed.crc32, size: data.length, created: true });
    expect(small.sha1).toBe(sha1(data));
    expect(small.storedBytes).toBe(fs.statSync(small.blobPath).size);
    expect(await verifyBlobFile(small.blobPath, small)).toBe(data.length);
    if (hasZstd) {
      expect(sha1(execFileSync('zstd', ['-dc', small.blobPath]))).toBe(small.sha1);
      expect(execFileSync('zstd', ['-lv', small.blobPath]).toString()).toMatch(/# Zstandard Frames: 1\b/);
    }
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('reports the stored size of content the store already holds, writing nothing', async () => {
    const data = contentBytes('held', 20_000);
    fs.writeFileSync(path.join(fx.dir, 'x'), data);
    fs.writeFileSync(path.join(fx.dir, 'y'), data);
    const a = await ingestFile(fx.dirs, path.join(fx.dir, 'x'), 'rom');
    const before = fs.statSync(a.blobPath);
    const b = await ingestFile(fx.dirs, path.join(fx.dir, 'y'), 'rom');
    expect(b).toMatchObject({ created: false, storedBytes: a.storedBytes, blobPath: a.blobPath, sha1: a.sha1 });
    expect(fs.statSync(a.blobPath).ino).toBe(before.ino);
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('stores content once when several ingests of it run at the same time', async () => {
    const data = contentBytes('same', 30_000);
    const srcs = [1, 2, 3, 4, 5, 6].map((i) => path.join(fx.dir, `copy${i}`));
    for (const s of srcs) fs.writeFileSync(s, data);
    const results = await Promise.all(srcs.map((s) => ingestFile(fx.dirs, s, 'rom')));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.blobPath)).size).toBe(1);
    expect(await verifyBlobFile(results[0]!.blobPath, results[0]!)).toBe(data.length);
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('ingests many near-frame-size files at once, a few at a time, every blob whole', async () => {
    // 8 × 3 MiB is more than the fast path holds in memory at once: later ones wait, none is lost.
    const srcs = Array.from({ length: 8 }, (_, i) => path.join(fx.dir, `big${i}`));
    srcs.forEach((s, i) => fs.writeFileSync(s, contentBytes(`near-frame/${i}`, 3 * 1024 * 1024 + i)));
    const results = await Promise.all(srcs.map((s) => ingestFile(fx.dirs, s, 'disc')));
    for (const [i, r] of results.entries()) {
      expect(r.sha1).toBe(sha1(fs.readFileSync(srcs[i]!)));
      expect(await verifyBlobFile(r.blobPath, r)).toBe(r.size);
    }
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('refuses a file that changed since the caller saw it (size or mtime), storing nothing', async () => {
    const src = path.join(fx.dir, 'c.bin');
    fs.writeFileSync(src, contentBytes('c', 5000));
    const seen = identity(src);
    fs.appendFileSync(src, 'x');
    await expect(ingestFile(fx.dirs, src, 'rom', { expect: seen })).rejects.toMatchObject({ code: 'CHANGED_WHILE_READING', message: expect.stringContaining(src) });
    // Same size, other mtime.
    fs.writeFileSync(src, contentBytes('c', 5000));
    const again = identity(src);
    fs.utimesSync(src, new Date(), new Date(Date.now() - 60_000));
    await expect(ingestFile(fx.dirs, src, 'rom', { expect: again })).rejects.toMatchObject({ code: 'CHANGED_WHILE_READING' });
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
    expect(fs.existsSync(path.join(fx.dirs.storeDir, 'rom'))).toBe(false);
  });

  it('refuses a file whose stat understates its content (it grew), storing nothing', async () => {
    // /proc files stat as empty regular files yet read as text: the read finds more than stat promised.
    if (!fs.existsSync('/proc/version')) return;
    await expect(ingestFile(fx.dirs, '/proc/version', 'other')).rejects.toMatchObject({ code: 'CHANGED_WHILE_READING', message: expect.stringContaining('/proc/version') });
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
    expect(fs.existsSync(path.join(fx.dirs.storeDir, 'other'))).toBe(false);
  });

  it('refuses a fifo put in place of a planned file without waiting for a writer', async () => {
    const src = path.join(fx.dir, 'was-a-file');
    fs.writeFileSync(src, 'abc');
    const seen = identity(src);
    fs.rmSync(src);
    execFileSync('mkfifo', [src]);
    await expect(ingestFile(fx.dirs, src, 'rom', { expect: seen })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${src} is a fifo`) });
    // The streaming path opens the same way.
    await expect(ingestFile(fx.dirs, src, 'rom', { expect: { size: 10 * 1024 * 1024, mtimeNs: 0n } })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });
});

describe('writeAllSync', () => {
  it('keeps writing after a partial write and fails on a write that makes no progress', () => {
    const out = path.join(fx.dir, 'out');
    const fd = fs.openSync(out, 'w');
    try {
      const data = Buffer.from('0123456789');
      // At most 3 bytes per call: every byte still lands, in order.
      writeAllSync(fd, data, (f, d, off, len) => fs.writeSync(f, d, off, Math.min(3, len)));
      expect(fs.readFileSync(out, 'utf8')).toBe('0123456789');
      // A full disk that reports 0 bytes written instead of an error: ENOSPC, not a silent truncation.
      let calls = 0;
      expect(() => writeAllSync(fd, data, (f, d, off, len) => (++calls === 1 ? fs.writeSync(f, d, off, 4) : 0))).toThrow(
        expect.objectContaining({ code: 'ENOSPC' }),
      );
    } finally {
      fs.closeSync(fd);
    }
  });
});
