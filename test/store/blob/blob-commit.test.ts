// A file at a blob's path is not trusted for existing: a recorded blob stands, anything else must
// verify, and a fresh blob replaces whatever does not. Known content keeps the type it is stored under.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../../src/store/blob/blob-writer.js';
import { verifyBlobFile } from '../../../src/store/blob/blob-reader.js';
import { blobPath } from '../../../src/store/blob/blob-key.js';
import { contentBytes } from '../../../fixtures/content.js';
import { useStoreDirs } from '../../helpers/store-dirs.js';

const fx = useStoreDirs();
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** The two ingest paths: one frame (fast path) and streamed frames. */
const PATHS = [
  { name: 'small file', size: 40_000, frameBytes: undefined },
  { name: 'streamed file', size: 300_000, frameBytes: 64 * 1024 },
];

function source(name: string, size: number): { src: string; data: Buffer; sha1: string } {
  const data = contentBytes(name, size, 'random');
  const src = path.join(fx.dir, name);
  fs.writeFileSync(src, data);
  return { src, data, sha1: sha1(data) };
}

function plant(type: string, sha: string, bytes: Buffer | string): string {
  const p = blobPath(fx.dirs.storeDir, type, sha);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
  return p;
}

describe.each(PATHS)('ingest of a $name over what sits at the blob path', ({ size, frameBytes }) => {
  it('replaces a stray file that is not the content (garbage, no record)', async () => {
    const { src, data, sha1: sha } = source('garbage', size);
    const p = plant('rom', sha, 'garbage\n');
    const r = await ingestFile(fx.dirs, src, 'rom', { frameBytes });
    expect(r).toMatchObject({ sha1: sha, created: true, blobPath: p });
    expect(await verifyBlobFile(p, { sha1: sha, size: data.length })).toBe(data.length);
    expect(r.storedBytes).toBe(fs.statSync(p).size);
    expect(fs.readdirSync(fx.dirs.tmpDir)).toEqual([]);
  });

  it('replaces a damaged blob of the content that no row records', async () => {
    const { src, data, sha1: sha } = source('damaged', size);
    const good = await ingestFile(fx.dirs, src, 'rom', { frameBytes });
    const bytes = fs.readFileSync(good.blobPath);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    fs.writeFileSync(good.blobPath, bytes);
    const r = await ingestFile(fx.dirs, src, 'rom', { frameBytes });
    expect(r.created).toBe(true);
    expect(await verifyBlobFile(good.blobPath, { sha1: sha, size: data.length })).toBe(data.length);
  });

  it('keeps a stray blob that verifies as the content, writing nothing', async () => {
    const { src, sha1: sha } = source('stray-good', size);
    const first = await ingestFile(fx.dirs, src, 'rom', { frameBytes });
    const ino = fs.statSync(first.blobPath).ino;
    const r = await ingestFile(fx.dirs, src, 'rom', { frameBytes });
    expect(r).toMatchObject({ sha1: sha, created: false, storedBytes: first.storedBytes });
    expect(fs.statSync(first.blobPath).ino).toBe(ino);
  });

  it('replaces a recorded blob that is missing or whose size is not the recorded one', async () => {
    const { src, data, sha1: sha } = source('recorded', size);
    const first = await ingestFile(fx.dirs, src, 'rom', { frameBytes });
    const known = () => ({ type: 'rom' as const, recordedBytes: first.storedBytes });
    fs.truncateSync(first.blobPath, first.storedBytes - 3);
    expect((await ingestFile(fx.dirs, src, 'rom', { frameBytes, known })).created).toBe(true);
    fs.rmSync(first.blobPath);
    expect((await ingestFile(fx.dirs, src, 'rom', { frameBytes, known })).created).toBe(true);
    expect(await verifyBlobFile(first.blobPath, { sha1: sha, size: data.length })).toBe(data.length);
  });

  it('stores content the catalogue knows under its known type, whatever type was asked for', async () => {
    const { src, sha1: sha } = source('typed', size);
    const manual = await ingestFile(fx.dirs, src, 'manual', { frameBytes });
    const known = (s: string) => (s === sha ? { type: 'manual' as const, recordedBytes: manual.storedBytes } : undefined);
    const again = await ingestFile(fx.dirs, src, 'rom', { frameBytes, known });
    expect(again).toMatchObject({ type: 'manual', created: false, blobPath: manual.blobPath, storedBytes: manual.storedBytes });
    expect(fs.existsSync(blobPath(fx.dirs.storeDir, 'rom', sha))).toBe(false);
    // Known (a file row) but not here: stored under the known type, not the one asked for.
    fs.rmSync(manual.blobPath);
    const fresh = await ingestFile(fx.dirs, src, 'rom', { frameBytes, known: () => ({ type: 'manual' }) });
    expect(fresh).toMatchObject({ type: 'manual', created: true, blobPath: manual.blobPath });
    expect(fs.existsSync(blobPath(fx.dirs.storeDir, 'rom', sha))).toBe(false);
  });
});
