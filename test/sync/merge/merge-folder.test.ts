// Where a pending merge's input copies are looked for: only inside the library's tmp/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { libraryPaths } from '../../../src/store/library.js';
import { resolveMergeFolder, storedMergeDir } from '../../../src/sync/merge/merge-folder.js';
import { tempDir } from '../../helpers/cli.js';

const root = tempDir('trove-merge-folder-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const ID = '01938a2b-1c2d-7e3f-8a9b-0c1d2e3f4a5b';

function library(name: string, withInputs: boolean) {
  const paths = libraryPaths(path.join(root, name));
  const dir = path.join(paths.tmpDir, `merge-${ID}`);
  fs.mkdirSync(dir, { recursive: true });
  if (withInputs) for (const f of ['base.db', 'remote.db']) fs.writeFileSync(path.join(dir, f), 'x');
  return { paths, dir };
}

describe('resolveMergeFolder', () => {
  it('stores new folders relative to the library and resolves them inside it', () => {
    const { paths, dir } = library('rel', true);
    expect(path.isAbsolute(storedMergeDir(ID))).toBe(false);
    expect(resolveMergeFolder(paths, { id: ID, dir: storedMergeDir(ID) })).toEqual({ ok: true, dir });
  });

  it('accepts an older absolute path inside the library', () => {
    const { paths, dir } = library('abs', true);
    expect(resolveMergeFolder(paths, { id: ID, dir })).toEqual({ ok: true, dir });
  });

  it("an absolute path outside the library (moved or copied): the library's own folder when its copies are there, else lost", () => {
    const other = library('original', true);
    const { paths, dir } = library('copy', true);
    expect(resolveMergeFolder(paths, { id: ID, dir: other.dir })).toEqual({ ok: true, dir });
    fs.rmSync(path.join(dir, 'remote.db'));
    const lost = resolveMergeFolder(paths, { id: ID, dir: other.dir });
    expect(lost).toMatchObject({ ok: false, dir });
    expect(!lost.ok && lost.reason).toMatch(/missing .*outside this library/);
  });

  it('never resolves outside tmp/: relative escapes and odd ids are lost with no folder to delete', () => {
    const { paths } = library('escape', true);
    expect(resolveMergeFolder(paths, { id: '../../x', dir: '../original/tmp/merge-x' })).toMatchObject({ ok: false, dir: undefined });
    expect(resolveMergeFolder(paths, { id: '../..', dir: '/etc' })).toMatchObject({ ok: false, dir: undefined });
    expect(resolveMergeFolder(paths, { id: ID, dir: 'tmp' })).toMatchObject({ ok: true }); // not tmp/ itself: falls back to the id's folder
  });
});
