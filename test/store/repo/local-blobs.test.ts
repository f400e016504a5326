// The local_blob record and the removal of a process's own blobs, as two trove processes meet in one
// store (QA3 G1): two Library handles on one folder stand for two processes (each its own SQLite
// connections and locks).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestFile } from '../../../src/store/blob/blob-writer.js';
import { Library } from '../../../src/store/library.js';
import { getLocalBlob, recordLocalBlobs, removeUnrecordedBlobs, undoIngest } from '../../../src/store/repo/local-blobs.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let a: Library;
let b: Library;
let src: string;
beforeEach(() => {
  dir = tempDir();
  a = Library.init(path.join(dir, 'lib')).library;
  b = Library.open(path.join(dir, 'lib'));
  src = path.join(dir, 'game.bin');
  fs.writeFileSync(src, randomBytes(50_000));
});
afterEach(() => {
  a.close();
  b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const input = (r: { sha1: string; type: 'rom'; size: number; storedBytes: number }) => [{ sha1: r.sha1, type: r.type, size: r.size, storedBytes: r.storedBytes }];

describe('one store, two processes', () => {
  it('a failed ingest does not remove a blob it created once another process has recorded it', async () => {
    const mine = await ingestFile(a.paths, src, 'rom');
    expect(mine.created).toBe(true);
    const theirs = await ingestFile(b.paths, src, 'rom');
    expect(theirs.created).toBe(false); // found it in the store
    recordLocalBlobs(b.state, b.paths.storeDir, input({ ...theirs, type: 'rom' }));
    await undoIngest(a.state, undefined, [mine.blobPath]); // a's add failed after storing it
    expect(fs.existsSync(mine.blobPath)).toBe(true);
    expect(getLocalBlob(a.state, mine.sha1)).toBeDefined();
  });

  it('removes what nobody recorded, and keeps what a row records', async () => {
    const one = await ingestFile(a.paths, src, 'rom');
    const other = path.join(dir, 'other.bin');
    fs.writeFileSync(other, randomBytes(1000));
    const two = await ingestFile(a.paths, other, 'rom');
    recordLocalBlobs(b.state, b.paths.storeDir, input({ ...two, type: 'rom' }));
    expect(removeUnrecordedBlobs(a.state, [one.blobPath, two.blobPath])).toEqual([two.blobPath]);
    expect(fs.existsSync(one.blobPath)).toBe(false);
    expect(fs.existsSync(two.blobPath)).toBe(true);
  });

  it('recording a blob that another process removed meanwhile fails BUSY, naming it, and records nothing', async () => {
    const other = path.join(dir, 'other.bin');
    fs.writeFileSync(other, randomBytes(1000));
    const kept = await ingestFile(b.paths, other, 'rom');
    const mine = await ingestFile(a.paths, src, 'rom');
    const theirs = await ingestFile(b.paths, src, 'rom');
    expect(theirs.created).toBe(false);
    removeUnrecordedBlobs(a.state, [mine.blobPath]); // a's scan: it matched nothing
    let err: { code?: string; message?: string } | undefined;
    try {
      recordLocalBlobs(b.state, b.paths.storeDir, [...input({ ...kept, type: 'rom' }), ...input({ ...theirs, type: 'rom' })]);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.code).toBe('BUSY');
    expect(err?.message).toContain(theirs.sha1);
    expect(err?.message).toMatch(/removed from the store by another trove process/);
    expect(getLocalBlob(b.state, kept.sha1)).toBeUndefined(); // the whole batch, not a part of it
    expect(getLocalBlob(b.state, theirs.sha1)).toBeUndefined();
  });
});
