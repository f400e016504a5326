// addFiles as a whole: a failure in the middle of a batch of many small files records nothing and
// leaves no blob behind that this run created.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addFiles } from '../../src/store/add-files.js';
import { Library } from '../../src/store/library.js';
import { verifyBlobFile } from '../../src/store/blob/blob-reader.js';
import { contentBytes } from '../../fixtures/content.js';
import { tempDir } from '../helpers/cli.js';
import { sabotageCommit } from '../helpers/sabotage-commit.js';
import { createHash } from 'node:crypto';

let root: string;
let lib: Library;

beforeEach(() => {
  root = tempDir();
  lib = Library.init(path.join(root, 'lib')).library;
});
afterEach(() => {
  lib.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile());
}

function counts(db: Database.Database) {
  return {
    file: (db.prepare('SELECT count(*) AS n FROM file').get() as { n: number }).n,
    member: (db.prepare('SELECT count(*) AS n FROM file_set_file').get() as { n: number }).n,
    local: (db.prepare('SELECT count(*) AS n FROM state.local_blob').get() as { n: number }).n,
  };
}

function smallFiles(n: number): string {
  const dir = path.join(root, 'src');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}.bin`), contentBytes(`small/${i}`, 4096 + i));
  return dir;
}

describe('addFiles', () => {
  it('stores and records a batch of small files, every recorded blob present and whole', async () => {
    const dir = smallFiles(120);
    const report = await addFiles(lib, { paths: [dir], system: 'S', release: 'R', type: 'rom' });
    expect(report.files).toHaveLength(120);
    expect(counts(lib.db)).toEqual({ file: 120, member: 120, local: 120 });
    for (const f of report.files) {
      const blob = path.join(lib.paths.storeDir, 'rom', f.sha1.slice(0, 2), `${f.sha1}.zst`);
      expect(await verifyBlobFile(blob, f)).toBe(f.size);
    }
    expect(files(lib.paths.tmpDir)).toEqual([]);
  });

  it('records nothing and removes the blobs it stored when one file of the batch fails', async () => {
    const dir = smallFiles(120);
    // A /proc file stats as empty but reads as text: it fails as changed while being read, after
    // (or while) the small files around it are stored.
    if (!fs.existsSync('/proc/version')) return;
    const before = counts(lib.db);
    await expect(addFiles(lib, { paths: [dir, '/proc/version'], system: 'S', release: 'R', type: 'rom' })).rejects.toMatchObject({
      code: 'CHANGED_WHILE_READING',
    });
    expect(counts(lib.db)).toEqual(before);
    expect(files(lib.paths.storeDir)).toEqual([]);
    expect(files(lib.paths.tmpDir)).toEqual([]);
    // The same batch without the bad file goes through, all of it.
    const report = await addFiles(lib, { paths: [dir], system: 'S', release: 'R', type: 'rom' });
    expect(report.files.filter((f) => f.stored)).toHaveLength(120);
  });

  it('keeps content that was already stored when a later batch fails', async () => {
    const dir = smallFiles(10);
    await addFiles(lib, { paths: [dir], system: 'S', release: 'R', type: 'rom' });
    const stored = files(lib.paths.storeDir).sort();
    if (!fs.existsSync('/proc/version')) return;
    await expect(addFiles(lib, { paths: [dir, '/proc/version'], system: 'S', release: 'R2', type: 'rom' })).rejects.toMatchObject({ code: 'CHANGED_WHILE_READING' });
    expect(files(lib.paths.storeDir).sort()).toEqual(stored);
    expect(counts(lib.db)).toEqual({ file: 10, member: 10, local: 10 });
  });

  it("changes nothing when the catalogue's commit fails after the local rows committed", async () => {
    const kept = await addFiles(lib, { paths: [smallFiles(3)], system: 'S', release: 'R', type: 'rom' });
    const before = { counts: counts(lib.db), local: localRows(), store: files(lib.paths.storeDir).sort() };
    // A real failure of collection.db's COMMIT: a deferred foreign key that is checked only then.
    sabotageCommit(lib.db, 'file_set_file');
    const more = path.join(root, 'more');
    fs.mkdirSync(more);
    fs.copyFileSync(path.join(root, 'src', 'f000.bin'), path.join(more, 'again.bin')); // stored already
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(more, `n${i}.bin`), contentBytes(`new/${i}`, 5000 + i));
    await expect(addFiles(lib, { paths: [more], system: 'S', release: 'R2', type: 'rom' })).rejects.toThrow(/FOREIGN KEY/);
    expect(counts(lib.db)).toEqual(before.counts);
    expect(localRows()).toEqual(before.local);
    expect(files(lib.paths.storeDir).sort()).toEqual(before.store);
    expect(kept.files).toHaveLength(3);
  });

  it("changes nothing when the local rows' commit fails (the catalogue never commits)", async () => {
    await addFiles(lib, { paths: [smallFiles(3)], system: 'S', release: 'R', type: 'rom' });
    const before = { counts: counts(lib.db), local: localRows(), store: files(lib.paths.storeDir).sort() };
    sabotageCommit(lib.state, 'local_blob');
    const more = path.join(root, 'more');
    fs.mkdirSync(more);
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(more, `n${i}.bin`), contentBytes(`new/${i}`, 5000 + i));
    await expect(addFiles(lib, { paths: [more], system: 'S', release: 'R2', type: 'rom' })).rejects.toThrow(/FOREIGN KEY/);
    expect(counts(lib.db)).toEqual(before.counts);
    expect(localRows()).toEqual(before.local);
    expect(files(lib.paths.storeDir).sort()).toEqual(before.store);
  });

  it('stores content already stored under another type nowhere new: the blob keeps its type', async () => {
    const src = path.join(root, 'same.bin');
    fs.writeFileSync(src, contentBytes('same', 9000));
    const manual = await addFiles(lib, { paths: [src], system: 'S', release: 'X (USA)', type: 'manual' });
    const rom = await addFiles(lib, { paths: [src], system: 'S', release: 'Y (USA)', type: 'rom', queueUploads: true });
    const sha1 = manual.files[0]!.sha1;
    expect(rom.files).toEqual([expect.objectContaining({ sha1, stored: false })]);
    expect(rom.bytesStored).toBe(0);
    expect(files(lib.paths.storeDir)).toEqual([path.join('manual', sha1.slice(0, 2), `${sha1}.zst`)]);
    expect(lib.db.prepare('SELECT type FROM file WHERE sha1 = ?').pluck().get(sha1)).toBe('manual');
    expect(lib.db.prepare('SELECT type FROM state.local_blob WHERE sha1 = ?').pluck().get(sha1)).toBe('manual');
    expect(lib.db.prepare('SELECT type FROM file_sync_log WHERE file_sha1 = ?').pluck().get(sha1)).toBe('manual');
    // The new file set is what it was added as: a rom file set.
    expect(lib.db.prepare('SELECT type FROM file_set WHERE id = ?').pluck().get(rom.fileSetId)).toBe('rom');
  });

  it('replaces a stray file at the blob path that no row records, instead of calling it stored', async () => {
    const src = path.join(root, 'a.bin');
    fs.writeFileSync(src, contentBytes('stray', 50_000, 'random'));
    const sha1 = createHash('sha1').update(fs.readFileSync(src)).digest('hex');
    const blob = path.join(lib.paths.storeDir, 'rom', sha1.slice(0, 2), `${sha1}.zst`);
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(blob, 'garbage\n');
    const r = await addFiles(lib, { paths: [src], system: 'S', release: 'A (USA)', type: 'rom' });
    expect(r.files).toEqual([expect.objectContaining({ sha1, stored: true })]);
    expect(await verifyBlobFile(blob, { sha1, size: 50_000 })).toBe(50_000);
  });
});

function localRows(): unknown[] {
  return lib.state.prepare('SELECT * FROM local_blob ORDER BY sha1').all();
}
