import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../../src/store/blob/blob-writer.js';
import { readBlobFile, verifyBlobFile } from '../../../src/store/blob/blob-reader.js';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { contentBytes, writeContent } from '../../../fixtures/content.js';
import { useStoreDirs } from '../../helpers/store-dirs.js';

const hasZstd = spawnSync('zstd', ['--version']).status === 0;
const fx = useStoreDirs();

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

async function readAll(file: string, expected: { sha1: string; size?: number }) {
  const parts: Buffer[] = [];
  for await (const c of readBlobFile(file, expected)) parts.push(c);
  return Buffer.concat(parts);
}

describe('blob store', () => {
  it('stores a file under <type>/<sha1[0:2]>/<sha1>.zst with SHA1, MD5 and CRC32 of the original', async () => {
    const data = contentBytes('a', 100_000);
    const src = path.join(fx.dir, 'a.bin');
    fs.writeFileSync(src, data);
    const r = await ingestFile(fx.dirs, src, 'rom');
    expect(r.sha1).toBe(sha1(data));
    expect(r.md5).toBe(createHash('md5').update(data).digest('hex'));
    expect(r.size).toBe(data.length);
    expect(r.created).toBe(true);
    expect(r.blobPath).toBe(path.join(fx.dirs.storeDir, 'rom', r.sha1.slice(0, 2), `${r.sha1}.zst`));
    expect(blobKey('rom', r.sha1)).toBe(`rom/${r.sha1.slice(0, 2)}/${r.sha1}.zst`);
    expect(r.storedBytes).toBe(fs.statSync(r.blobPath).size);
    expect(await readAll(r.blobPath, r)).toEqual(data);
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('writes many independent frames for a large file, readable by the zstd command-line tool', async () => {
    const src = path.join(fx.dir, 'big.bin');
    await writeContent(src, 'big', 3 * 1024 * 1024 + 17);
    const r = await ingestFile(fx.dirs, src, 'disc', { frameBytes: 256 * 1024 });
    expect(r.sha1).toBe(sha1(fs.readFileSync(src)));
    expect(await verifyBlobFile(r.blobPath, r)).toBe(r.size);
    if (hasZstd) {
      const out = execFileSync('zstd', ['-dc', r.blobPath], { maxBuffer: 64 * 1024 * 1024 });
      expect(sha1(out)).toBe(r.sha1);
      const frames = execFileSync('zstd', ['-lv', r.blobPath]).toString();
      expect(frames).toMatch(/# Zstandard Frames: 13/);
    }
  });

  it('stores an empty file as a valid one-frame stream', async () => {
    const src = path.join(fx.dir, 'empty');
    fs.writeFileSync(src, '');
    const r = await ingestFile(fx.dirs, src, 'other');
    expect(r.sha1).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(await readAll(r.blobPath, { sha1: r.sha1, size: 0 })).toEqual(Buffer.alloc(0));
  });

  it('stores the same content once', async () => {
    const data = contentBytes('dup', 5000);
    fs.writeFileSync(path.join(fx.dir, 'x'), data);
    fs.writeFileSync(path.join(fx.dir, 'y'), data);
    const a = await ingestFile(fx.dirs, path.join(fx.dir, 'x'), 'rom');
    const mtime = fs.statSync(a.blobPath).mtimeMs;
    const b = await ingestFile(fx.dirs, path.join(fx.dir, 'y'), 'rom');
    expect(b.created).toBe(false);
    expect(b.blobPath).toBe(a.blobPath);
    expect(fs.statSync(a.blobPath).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('refuses a fifo, naming it, and writes nothing', async () => {
    const fifo = path.join(fx.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await expect(ingestFile(fx.dirs, fifo, 'rom')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${fifo} is a fifo`) });
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('refuses a file that changes while it is read and leaves no temp file', async () => {
    const src = path.join(fx.dir, 'growing.bin');
    await writeContent(src, 'grow', 48 * 1024 * 1024);
    const ingest = ingestFile(fx.dirs, src, 'rom', { frameBytes: 1024 * 1024, depth: 1 });
    // Append once reading has begun (the temp file exists), not before the first stat.
    while (fs.readdirSync(fx.dirs.tmpDir).length === 0) await new Promise((r) => setImmediate(r));
    fs.appendFileSync(src, 'more bytes');
    await expect(ingest).rejects.toMatchObject({ code: 'CHANGED_WHILE_READING' });
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
    expect(fs.existsSync(path.join(fx.dirs.storeDir, 'rom'))).toBe(false);
  });

  it('names the sha1 when a stored blob has one byte flipped', async () => {
    const src = path.join(fx.dir, 'f.bin');
    fs.writeFileSync(src, contentBytes('flip', 200_000, 'random'));
    const r = await ingestFile(fx.dirs, src, 'rom');
    const bytes = fs.readFileSync(r.blobPath);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(r.blobPath, bytes);
    await expect(verifyBlobFile(r.blobPath, r, `blob ${r.sha1}`)).rejects.toMatchObject({
      code: expect.stringMatching(/CHECKSUM_MISMATCH|CORRUPT_BLOB/),
      message: expect.stringContaining(r.sha1),
    });
  });

  it('reports a truncated blob as corrupt', async () => {
    const src = path.join(fx.dir, 't.bin');
    fs.writeFileSync(src, contentBytes('trunc', 300_000));
    const r = await ingestFile(fx.dirs, src, 'rom');
    fs.truncateSync(r.blobPath, r.storedBytes - 10);
    await expect(verifyBlobFile(r.blobPath, r)).rejects.toMatchObject({ code: 'CORRUPT_BLOB', message: expect.stringMatching(/truncated/) });
  });

  it('stops as soon as output passes the recorded size', async () => {
    const src = path.join(fx.dir, 's.bin');
    fs.writeFileSync(src, contentBytes('size', 50_000));
    const r = await ingestFile(fx.dirs, src, 'rom');
    await expect(verifyBlobFile(r.blobPath, { sha1: r.sha1, size: 1000 })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(/past its recorded size of 1000 bytes/),
    });
  });

  it('checks both sha1 and size', async () => {
    const src = path.join(fx.dir, 'x.bin');
    fs.writeFileSync(src, 'abc');
    const r = await ingestFile(fx.dirs, src, 'rom');
    await expect(verifyBlobFile(r.blobPath, { sha1: '0'.repeat(40), size: 3 })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    await expect(verifyBlobFile(r.blobPath, { sha1: r.sha1, size: 4 })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(blobPath(fx.dirs.storeDir, 'rom', r.sha1)).toBe(r.blobPath);
  });
});
