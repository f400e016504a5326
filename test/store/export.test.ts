// export is all or nothing: every destination is checked before the first write, files already there
// are kept unless overwrite is asked for, and a failure while renaming into place undoes every step.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addFiles } from '../../src/store/add-files.js';
import { exportTarget } from '../../src/store/export.js';
import { Library } from '../../src/store/library.js';
import { resolveRelease } from '../../src/store/repo/resolve.js';
import { tempDir } from '../helpers/cli.js';

let root: string;
let lib: Library;
let out: string;
const release = () => resolveRelease(lib.db, 'H2 (USA)');

/** Every file under `dir` with its content, temps and set-aside files included. */
function tree(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const entries = (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
  return Object.fromEntries(entries.map((p) => [p, fs.statSync(path.join(dir, p)).isDirectory() ? '<dir>' : fs.readFileSync(path.join(dir, p), 'utf8')]));
}

beforeEach(async () => {
  root = tempDir();
  lib = Library.init(path.join(root, 'lib')).library;
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.bin'), 'rom a');
  fs.writeFileSync(path.join(src, 'ok.bin'), 'rom ok');
  fs.writeFileSync(path.join(src, 'man.pdf'), 'manual');
  await addFiles(lib, { paths: [path.join(src, 'a.bin'), path.join(src, 'ok.bin')], system: 'S', release: 'H2 (USA)', type: 'rom' });
  await addFiles(lib, { paths: [path.join(src, 'man.pdf')], system: 'S', release: 'H2 (USA)', type: 'manual' });
  out = path.join(root, 'out');
});
afterEach(() => {
  vi.restoreAllMocks();
  lib.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('exportTarget', () => {
  it('writes every file under its name, one folder per file set', async () => {
    const files = await exportTarget(lib, release(), out);
    expect(tree(out)).toEqual({ manual: '<dir>', 'manual/man.pdf': 'manual', rom: '<dir>', 'rom/a.bin': 'rom a', 'rom/ok.bin': 'rom ok' });
    expect(files.map((f) => f.result)).toEqual(['written', 'written', 'written']);
  });

  // QA-A #5: rom/ok.bin was a folder; man.pdf had already been overwritten when the rename failed.
  it('refuses a destination that is a folder before writing anything, naming it', async () => {
    fs.mkdirSync(path.join(out, 'rom', 'ok.bin'), { recursive: true });
    fs.mkdirSync(path.join(out, 'manual'));
    fs.writeFileSync(path.join(out, 'manual', 'man.pdf'), 'precious');
    const before = tree(out);
    await expect(exportTarget(lib, release(), out, { overwrite: true })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining(`${path.join(out, 'rom', 'ok.bin')} is a folder`),
    });
    expect(tree(out)).toEqual(before);
  });

  it('refuses a destination whose parent is a file, and an export folder that is a file', async () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'rom'), 'a file where a folder goes');
    await expect(exportTarget(lib, release(), out)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${path.join(out, 'rom')} is a file, not a folder`) });
    expect(tree(out)).toEqual({ rom: 'a file where a folder goes' });
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(exportTarget(lib, release(), path.join(file, 'deeper'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${file} is a file, not a folder`) });
  });

  it('keeps a file with other content unless overwrite is asked for; the same content is left as it is', async () => {
    fs.mkdirSync(path.join(out, 'manual'), { recursive: true });
    fs.mkdirSync(path.join(out, 'rom'));
    fs.writeFileSync(path.join(out, 'manual', 'man.pdf'), 'precious');
    fs.writeFileSync(path.join(out, 'rom', 'a.bin'), 'rom a');
    const inode = fs.statSync(path.join(out, 'rom', 'a.bin')).ino;
    await expect(exportTarget(lib, release(), out)).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining(path.join(out, 'manual', 'man.pdf')) });
    expect(tree(out)).toEqual({ manual: '<dir>', 'manual/man.pdf': 'precious', rom: '<dir>', 'rom/a.bin': 'rom a' });

    const files = await exportTarget(lib, release(), out, { overwrite: true });
    expect(Object.fromEntries(files.map((f) => [f.name, f.result]))).toEqual({ 'a.bin': 'unchanged', 'ok.bin': 'written', 'man.pdf': 'replaced' });
    expect(tree(out)).toEqual({ manual: '<dir>', 'manual/man.pdf': 'manual', rom: '<dir>', 'rom/a.bin': 'rom a', 'rom/ok.bin': 'rom ok' });
    expect(fs.statSync(path.join(out, 'rom', 'a.bin')).ino).toBe(inode);
  });

  it('undoes every rename when one fails: old files back, new ones gone, nothing left over', async () => {
    fs.mkdirSync(path.join(out, 'manual'), { recursive: true });
    fs.writeFileSync(path.join(out, 'manual', 'man.pdf'), 'precious');
    fs.mkdirSync(path.join(out, 'rom'));
    const before = tree(out);
    // The last rename into place fails (as a disk error would), after the others succeeded.
    const realRename = fsp.rename;
    let intoPlace = 0;
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(from).includes('.export.') && ++intoPlace === 3) {
        throw Object.assign(new Error(`EIO: i/o error, rename '${from}' -> '${to}'`), { code: 'EIO', errno: -5, syscall: 'rename', path: String(from), dest: String(to) });
      }
      return realRename(from, to);
    });
    await expect(exportTarget(lib, release(), out, { overwrite: true })).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/nothing was written: rename .* EIO/) });
    expect(intoPlace).toBe(3);
    expect(tree(out)).toEqual(before);
  });

  it('a replaced file keeps its name until the new one takes it: a crash between the two steps leaves the old file, never no file (QA2-E F1)', async () => {
    fs.mkdirSync(path.join(out, 'manual'), { recursive: true });
    const dest = path.join(out, 'manual', 'man.pdf');
    fs.writeFileSync(dest, 'precious');
    const seen: string[] = [];
    const realRename = fsp.rename;
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to) === dest) seen.push(fs.existsSync(dest) ? fs.readFileSync(dest, 'utf8') : '<no file>'); // what a crash here would leave
      return realRename(from, to);
    });
    await exportTarget(lib, release(), out, { overwrite: true });
    expect(seen).toEqual(['precious']);
    expect(fs.readFileSync(dest, 'utf8')).toBe('manual');
    expect(tree(path.join(out, 'manual'))).toEqual({ 'man.pdf': 'manual' });
  });

  it("removes what a crashed export left in the folder: its temps, and set-aside files that are a second name of the destination; never a set-aside file that may be a user's only copy (QA2-E F5)", async () => {
    const dir = path.join(out, 'manual');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'man.pdf'), 'old manual');
    const dead = 4_194_000; // no process has this pid here
    fs.writeFileSync(path.join(dir, `.export.${dead}.aaaaaaaaaaaa.tmp`), 'half a file');
    fs.linkSync(path.join(dir, 'man.pdf'), path.join(dir, `.export-old.${dead}.bbbbbbbbbbbb.tmp`));
    fs.writeFileSync(path.join(dir, `.export-old.${dead}.cccccccccccc.tmp`), 'set aside by rename: maybe the only copy');
    fs.writeFileSync(path.join(dir, '.export.notes.tmp'), "the user's own file");
    await exportTarget(lib, release(), out, { overwrite: true });
    expect(tree(dir)).toEqual({
      [`.export-old.${dead}.cccccccccccc.tmp`]: 'set aside by rename: maybe the only copy',
      '.export.notes.tmp': "the user's own file",
      'man.pdf': 'manual',
    });
  });

  it('removes the folders it made when it fails', async () => {
    const blob = fs.readdirSync(path.join(lib.paths.storeDir, 'manual'), { recursive: true }).map(String).find((p) => p.endsWith('.zst'))!;
    fs.rmSync(path.join(lib.paths.storeDir, 'manual', blob));
    await expect(exportTarget(lib, release(), out)).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    expect(fs.existsSync(out)).toBe(false);
  });
});
