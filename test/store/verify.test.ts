// `verifyStore` on a real library: what it counts, and what it does with blobs that are bad, missing
// or not recorded.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addFiles } from '../../src/store/add-files.js';
import { Library } from '../../src/store/library.js';
import { planBlobActions, verifyStore } from '../../src/store/verify.js';
import { blobPath } from '../../src/store/blob/blob-key.js';
import { ingestFile } from '../../src/store/blob/blob-writer.js';
import { listFiles } from '../../src/store/repo/catalog-queries.js';
import { contentBytes } from '../../fixtures/content.js';
import { tempDir } from '../helpers/cli.js';
import { lockFolder } from '../helpers/lock-folder.js';

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

function source(name: string, size: number, seed = name): string {
  const p = path.join(root, 'src', name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, contentBytes(seed, size, 'random'));
  return p;
}

describe('verifyStore', () => {
  it('counts the bytes of every blob it checked, however many run at once', async () => {
    const sizes = [100_000, 200_000, 300_000, 400_000];
    await addFiles(lib, { paths: sizes.map((n, i) => source(`f${i}.bin`, n)), system: 'S', release: 'R', type: 'rom' });
    const report = await verifyStore(lib);
    expect(report.checked).toBe(4);
    expect(report.bad).toEqual([]);
    expect(report.bytes).toBe(1_000_000);
  });

  it('moves a bad blob to <library>/bad, forgets it, and the next add of the original stores it again', async () => {
    const src = source('a.bin', 50_000);
    const added = await addFiles(lib, { paths: [src], system: 'S', release: 'A (USA)', type: 'rom' });
    const { sha1 } = added.files[0]!;
    const blob = blobPath(lib.paths.storeDir, 'rom', sha1);
    const damaged = fs.readFileSync(blob);
    damaged[20_000]! ^= 0x01;
    fs.writeFileSync(blob, damaged);

    const report = await verifyStore(lib);
    const movedTo = path.join(lib.paths.dir, 'bad', 'rom', `${sha1}.zst`);
    expect(report.bad).toEqual([expect.objectContaining({ sha1, type: 'rom', path: blob, action: 'quarantined', movedTo, problem: expect.stringContaining(sha1) })]);
    expect(fs.readFileSync(movedTo)).toEqual(damaged); // nothing lost: the bytes are kept as they were
    expect(fs.existsSync(blob)).toBe(false);
    expect(localRow(sha1)).toBeUndefined();
    expect(availabilityOf(sha1)).toBe('NotAvailable');

    const again = await addFiles(lib, { paths: [src], system: 'S', release: 'A (USA)', type: 'rom' });
    expect(again.files[0]).toMatchObject({ sha1, stored: true });
    expect(availabilityOf(sha1)).toBe('LocalOnly');
    expect((await verifyStore(lib)).bad).toEqual([]);

    // Damaged a second time: the first quarantined copy is kept, the second goes beside it.
    fs.writeFileSync(blob, 'garbage');
    const second = await verifyStore(lib);
    expect(second.bad).toEqual([expect.objectContaining({ sha1, action: 'quarantined', movedTo: path.join(lib.paths.dir, 'bad', 'rom', `${sha1}.2.zst`) })]);
    expect(fs.readFileSync(movedTo)).toEqual(damaged);
  });

  it('forgets a bad blob it cannot move (a store it cannot write), and moves it on the next run', async () => {
    const added = await addFiles(lib, { paths: [source('ro.bin', 20_000)], system: 'S', release: 'RO (USA)', type: 'rom' });
    const { sha1 } = added.files[0]!;
    const blob = blobPath(lib.paths.storeDir, 'rom', sha1);
    fs.writeFileSync(blob, 'garbage');
    const unlock = lockFolder(path.dirname(blob));
    if (!unlock) return;
    let report;
    try {
      report = await verifyStore(lib);
    } finally {
      unlock();
    }
    expect(report.bad).toEqual([expect.objectContaining({ sha1, action: 'not-moved', error: expect.stringMatching(/cannot move it to .*bad/) })]);
    expect(fs.existsSync(blob)).toBe(true);
    expect(localRow(sha1)).toBeUndefined(); // what is there is not the content
    expect((await verifyStore(lib)).bad).toEqual([expect.objectContaining({ sha1, action: 'quarantined' })]);
    expect(fs.existsSync(blob)).toBe(false);
  });

  it('forgets a row whose blob is missing from the store', async () => {
    const added = await addFiles(lib, { paths: [source('m.bin', 10_000)], system: 'S', release: 'M (USA)', type: 'rom' });
    const { sha1 } = added.files[0]!;
    fs.rmSync(blobPath(lib.paths.storeDir, 'rom', sha1));
    const report = await verifyStore(lib);
    expect(report.bad).toEqual([expect.objectContaining({ sha1, problem: 'missing from the store', action: 'forgotten' })]);
    expect(localRow(sha1)).toBeUndefined();
    expect((await verifyStore(lib)).bad).toEqual([]);
  });

  it('adopts a good blob no row records when the catalogue has it, and reports one nothing uses', async () => {
    const added = await addFiles(lib, { paths: [source('o.bin', 30_000), source('u.bin', 20_000)], system: 'S', release: 'O (USA)', type: 'rom' });
    const [orphan, unused] = added.files.map((f) => f.sha1) as [string, string];
    const row = localRow(orphan);
    lib.state.prepare('DELETE FROM local_blob WHERE sha1 = ?').run(orphan); // drop interrupted between its steps
    // A blob of content the catalogue does not have, and a copy of known content under another type.
    fs.rmSync(path.join(root, 'src'), { recursive: true });
    const foreign = await ingestFile(lib.paths, source('f.bin', 5_000), 'other');
    const otherType = blobPath(lib.paths.storeDir, 'manual', unused);
    fs.mkdirSync(path.dirname(otherType), { recursive: true });
    fs.copyFileSync(blobPath(lib.paths.storeDir, 'rom', unused), otherType);

    const report = await verifyStore(lib);
    expect(report.bad).toEqual([]);
    expect(report.adopted).toEqual([expect.objectContaining({ sha1: orphan, type: 'rom', storedBytes: row!.stored_bytes })]);
    expect(localRow(orphan)).toMatchObject({ type: 'rom', size: 30_000, stored_bytes: row!.stored_bytes });
    expect(report.unused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sha1: foreign.sha1, type: 'other', reason: 'no file in the catalogue has this content' }),
        expect.objectContaining({ sha1: unused, type: 'manual', reason: expect.stringMatching(/under rom\//) }),
      ]),
    );
    expect(report.unused).toHaveLength(2);
    expect(fs.existsSync(foreign.blobPath) && fs.existsSync(otherType)).toBe(true);
  });
});

describe('verifyStore beside another trove process (QA2-E F8)', () => {
  it('a blob a drop frees while verify runs is not "bad": it is reported as changed meanwhile, and nothing is done to it', async () => {
    const added = await addFiles(lib, { paths: [1, 2, 3, 4, 5, 6].map((i) => source(`d${i}.bin`, 200_000)), system: 'S', release: 'D (USA)', type: 'rom' });
    const dropped = added.files.slice(3).map((f) => f.sha1);
    const report = await verifyStore(lib, (done) => {
      if (done !== 1) return;
      for (const sha1 of dropped) {
        // What `trove drop` does: the file goes, then its row.
        fs.rmSync(blobPath(lib.paths.storeDir, 'rom', sha1), { force: true });
        lib.state.prepare('DELETE FROM local_blob WHERE sha1 = ?').run(sha1);
      }
    });
    expect(report.bad).toEqual([]);
    expect(report.adopted).toEqual([]);
    expect(fs.existsSync(path.join(lib.paths.dir, 'bad'))).toBe(false);
    for (const sha1 of dropped) expect(localRow(sha1)).toBeUndefined();
    for (const f of added.files.slice(0, 3)) expect(localRow(f.sha1)).toBeDefined();
    expect((await verifyStore(lib)).bad).toEqual([]);
  });

  it('a blob a download renames into place and records while verify runs is not forgotten', async () => {
    const added = await addFiles(lib, { paths: [source('r1.bin', 200_000), source('r2.bin', 200_000), source('r3.bin', 200_000)], system: 'S', release: 'R (USA)', type: 'rom' });
    const late = added.files[2]!.sha1;
    const blob = blobPath(lib.paths.storeDir, 'rom', late);
    const bytes = fs.readFileSync(blob);
    const row = localRow(late)!;
    fs.rmSync(blob);
    lib.state.prepare('DELETE FROM local_blob WHERE sha1 = ?').run(late);
    // Listed without it; then the "download" puts the file and its row back before verify acts.
    const report = await verifyStore(lib, (done) => {
      if (done !== 1) return;
      fs.writeFileSync(blob, bytes);
      lib.state.prepare('INSERT INTO local_blob (sha1, type, size, stored_bytes, created_at) VALUES (?, ?, ?, ?, ?)').run(late, 'rom', row.size, row.stored_bytes, new Date().toISOString());
    });
    expect(report.bad).toEqual([]);
    expect(localRow(late)).toBeDefined();
  });
});

describe('planBlobActions', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  it.each([
    ['recorded and good: nothing', [{ sha1: A, type: 'rom' }], [[A, 'rom']], [[A, 'rom']], []],
    ['recorded and bad: quarantine, forget the row', [{ sha1: A, type: 'rom', problem: 'x' }], [[A, 'rom']], [], [{ kind: 'quarantine', sha1: A, type: 'rom', problem: 'x', forgetRow: true }]],
    ['unrecorded and bad: quarantine', [{ sha1: A, type: 'rom', problem: 'x' }], [], [[A, 'rom']], [{ kind: 'quarantine', sha1: A, type: 'rom', problem: 'x', forgetRow: false }]],
    ['bad copy under another type than the row: the row stays', [{ sha1: A, type: 'manual', problem: 'x' }, { sha1: A, type: 'rom' }], [[A, 'rom']], [], [{ kind: 'quarantine', sha1: A, type: 'manual', problem: 'x', forgetRow: false }]],
    ['recorded, not on disk: forget', [], [[A, 'rom']], [[A, 'rom']], [{ kind: 'forget', sha1: A, type: 'rom' }]],
    ['recorded under another type than on disk: forget, and the disk copy is unused', [{ sha1: A, type: 'manual' }], [[A, 'rom']], [[A, 'rom']], [
      { kind: 'unused', sha1: A, type: 'manual', reason: 'this device records the content under rom/, not manual/' },
      { kind: 'forget', sha1: A, type: 'rom' },
    ]],
    ['unrecorded, catalogued under its type: adopt', [{ sha1: B, type: 'rom' }], [], [[B, 'rom']], [{ kind: 'adopt', sha1: B, type: 'rom' }]],
    ['unrecorded, catalogued under another type: unused', [{ sha1: B, type: 'rom' }], [], [[B, 'disc']], [{ kind: 'unused', sha1: B, type: 'rom', reason: 'the catalogue stores this content as disc, not rom' }]],
  ] as const)('%s', (_name, checked, rows, fileTypes, expected) => {
    expect(planBlobActions(checked as never, new Map(rows as never), new Map(fileTypes as never))).toEqual(expected);
  });
});

function localRow(sha1: string): { type: string; size: number; stored_bytes: number } | undefined {
  return lib.state.prepare('SELECT type, size, stored_bytes FROM local_blob WHERE sha1 = ?').get(sha1) as never;
}

function availabilityOf(sha1: string): string {
  return (listFiles(lib.db, {}) as { sha1: string; availability: string }[]).find((f) => f.sha1 === sha1)!.availability;
}
