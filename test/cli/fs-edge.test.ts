// The file-system edge of add, scan and export, end to end through the built CLI: the library folder
// is never read as content nor written into, unreadable folders and symlinks inside given folders are
// listed and skipped, and names from file systems cannot forge output lines.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentBytes } from '../../fixtures/content.js';
import { runCli, tempDir } from '../helpers/cli.js';

const SYS = 'Test - System';

function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile()).sort();
}

describe('the library folder is protected from add, scan and export', () => {
  let root: string;
  let lib: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);
  const releases = async () => (JSON.parse((await t('ls', 'releases', '--json')).stdout) as { name: string }[]).map((r) => r.name).sort();

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'games', 'lib');
    fs.mkdirSync(path.join(root, 'games', 'roms'), { recursive: true });
    fs.writeFileSync(path.join(root, 'games', 'roms', 'one.bin'), contentBytes('one', 5000));
    expect((await t('init', '--name', 'dev')).code).toBe(0);
    const add = await t('add', path.join(root, 'games', 'roms', 'one.bin'), '--system', SYS, '--release', 'One');
    expect(add.code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('add of a parent of the library skips the library folder, saying so', async () => {
    const store = listTree(path.join(lib, 'store'));
    const r = await t('add', path.join(root, 'games'), '--system', SYS, '--release', 'Games', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { files: { name: string }[]; skipped: { path: string; reason: string }[] };
    expect(report.files.map((f) => f.name)).toEqual(['roms/one.bin']);
    expect(report.skipped).toEqual([{ path: lib, reason: 'library' }]);
    expect(r.stderr).toContain(`skipped ${lib}: inside the library folder`);
    expect(listTree(path.join(lib, 'store'))).toEqual(store);
  });

  it('add of the library itself, or through a symlink to it, adds nothing', async () => {
    const link = path.join(root, 'lib-link');
    fs.symlinkSync(lib, link);
    for (const p of [lib, link, path.join(link, 'store')]) {
      const r = await t('add', p, '--system', SYS, '--release', 'Self');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/nothing to add.*inside|library/);
    }
    expect(await releases()).toEqual(['Games', 'One']);
  });

  it('scan through a symlinked path to the library skips it', async () => {
    const link = path.join(root, 'lib-link2');
    fs.symlinkSync(path.join(root, 'games'), link);
    const r = await t('scan', link, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { files: number; unmatched: string[]; skipped: { path: string; reason: string }[] };
    expect(report.unmatched.filter((p) => p.includes(`${path.sep}lib${path.sep}`))).toEqual([]);
    expect(report.files).toBe(1);
    expect(report.skipped).toEqual([{ path: path.join(link, 'lib'), reason: 'library' }]);
  });

  it('export refuses a destination inside the library (also through a symlink), writing nothing', async () => {
    const before = fs.readFileSync(path.join(lib, 'collection.db'));
    const link = path.join(root, 'lib-link3');
    fs.symlinkSync(lib, link);
    for (const dest of [lib, path.join(lib, 'sub'), link, path.join(link, 'store')]) {
      const r = await t('export', 'One', dest, '--overwrite');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot export into ${dest}`);
      expect(r.stderr).toContain('inside the library folder');
    }
    expect(fs.existsSync(path.join(lib, 'one.bin'))).toBe(false);
    expect(fs.existsSync(path.join(lib, 'sub'))).toBe(false);
    expect(fs.readFileSync(path.join(lib, 'collection.db')).equals(before)).toBe(true);
  });
});

describe('symlinks inside a folder given to add', () => {
  let root: string;
  let lib: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    expect((await t('init', '--name', 'dev')).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('skips symlinked folders and dangling symlinks, listing them; follows symlinked files', async () => {
    const src = path.join(root, 'src2');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'one.bin'), 'one');
    fs.writeFileSync(path.join(src, 'sub', 'two.bin'), 'two');
    fs.writeFileSync(path.join(root, 'outside.bin'), 'outside');
    fs.symlinkSync('sub', path.join(src, 'link-dir'));
    fs.symlinkSync('nowhere', path.join(src, 'dangling'));
    fs.symlinkSync(path.join(root, 'outside.bin'), path.join(src, 'link-file.bin'));
    const r = await t('add', src, '--system', SYS, '--release', 'R2', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { files: { name: string }[]; skipped: unknown[] };
    expect(report.files.map((f) => f.name)).toEqual(['link-file.bin', 'one.bin', 'sub/two.bin']);
    expect(report.skipped).toEqual([
      { path: path.join(src, 'dangling'), reason: 'dangling symlink' },
      { path: path.join(src, 'link-dir'), reason: 'symlinked folder' },
    ]);
    expect(r.stderr).toContain(`skipped ${path.join(src, 'link-dir')}: a symlink to a folder (not followed)`);
    expect(r.stderr).toContain(`skipped ${path.join(src, 'dangling')}: a dangling symlink`);
  });
});

describe('scan with an unreadable folder', () => {
  // Root reads any folder whatever its mode: the CLI runs as `nobody` for this (as a user would).
  const asNobody = process.getuid?.() === 0 && spawnSync('id', ['-u', 'nobody']).status === 0;
  let root: string;
  let lib: string;

  beforeAll(() => {
    root = tempDir();
    lib = path.join(root, 'lib');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lists the folder as an error, scans the rest, and exits 1', async () => {
    const nobody = asNobody ? Number(spawnSync('id', ['-u', 'nobody']).stdout.toString().trim()) : undefined;
    const env = { XDG_DATA_HOME: path.join(root, 'xdg'), XDG_CONFIG_HOME: path.join(root, 'xdg-config'), HOME: root };
    const t = (...args: string[]) => runCli(['--library', lib, ...args], { env, uid: nobody, gid: nobody });
    const dats = path.join(root, 'dat.dat');
    const roms = path.join(root, 'roms');
    fs.mkdirSync(path.join(roms, 'zlocked'), { recursive: true });
    fs.writeFileSync(path.join(roms, 'a.bin'), contentBytes('a', 3000));
    fs.writeFileSync(path.join(roms, 'zlocked', 'b.bin'), contentBytes('b', 3000));
    const sha1 = (f: string) => spawnSync('sha1sum', [f]).stdout.toString().slice(0, 40);
    fs.writeFileSync(
      dats,
      `<?xml version="1.0"?><datafile><header><name>${SYS}</name><description>${SYS}</description></header>` +
        `<game name="A"><description>A</description><rom name="a.bin" size="3000" sha1="${sha1(path.join(roms, 'a.bin'))}"/></game></datafile>`,
    );
    if (nobody !== undefined) spawnSync('chown', ['-R', `${nobody}:${nobody}`, root]);
    expect((await t('init', '--name', 'dev')).code).toBe(0);
    expect((await t('dat', 'import', dats)).code).toBe(0);
    fs.chmodSync(path.join(roms, 'zlocked'), 0o000);
    try {
      if (nobody === undefined && fs.readdirSync(path.join(roms, 'zlocked')).length) {
        // Running as root without a `nobody` account: a mode cannot make a folder unreadable here.
        console.warn('skipped: cannot make a folder unreadable for this user');
        return;
      }
      const r = await t('scan', roms, '--json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { matched: { sha1: number }; stored: number; errors: { path: string; code: string }[] };
      expect(report.errors).toEqual([expect.objectContaining({ path: path.join(roms, 'zlocked'), code: 'EACCES' })]);
      expect(report.matched.sha1).toBe(1);
      expect(report.stored).toBe(1);
      const human = await t('scan', roms);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`error      ${path.join(roms, 'zlocked')}: cannot read folder`);
    } finally {
      fs.chmodSync(path.join(roms, 'zlocked'), 0o755);
    }
  });
});

describe('a file set whose names would be a file and a folder ("a" and "a/b")', () => {
  let root: string;
  let lib: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);
  const members = async (release: string) =>
    (JSON.parse((await t('ls', 'files', '--release', release, '--json')).stdout) as { name: string }[]).map((f) => f.name).sort();

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    expect((await t('init', '--name', 'dev')).code).toBe(0);
    fs.mkdirSync(path.join(root, 'col', 'x', 'a'), { recursive: true });
    fs.writeFileSync(path.join(root, 'col', 'a'), 'f');
    fs.writeFileSync(path.join(root, 'col', 'x', 'a', 'b'), 'g');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('add refuses it in one run, naming both, and stores nothing', async () => {
    const r = await t('add', path.join(root, 'col', 'a'), path.join(root, 'col', 'x'), '--system', SYS, '--release', 'Both');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`"a" (${path.join(root, 'col', 'a')}) and "a/b" (${path.join(root, 'col', 'x', 'a', 'b')}) cannot both be in the file set`);
    expect(listTree(path.join(lib, 'store'))).toEqual([]);
  });

  it('add refuses it across two adds into the same file set, both ways round', async () => {
    expect((await t('add', path.join(root, 'col', 'a'), '--system', SYS, '--release', 'Col')).code).toBe(0);
    const r = await t('add', path.join(root, 'col', 'x'), '--system', SYS, '--release', 'Col');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`"a" (already in the file set) and "a/b" (${path.join(root, 'col', 'x', 'a', 'b')}) cannot both be in Col › rom`);
    expect(await members('Col')).toEqual(['a']);
    expect((await t('add', path.join(root, 'col', 'x'), '--system', SYS, '--release', 'Col2')).code).toBe(0);
    const back = await t('add', path.join(root, 'col', 'a'), '--system', SYS, '--release', 'Col2');
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('"a/b" (already in the file set)');
    expect(await members('Col2')).toEqual(['a/b']);
  });

  it('export names the conflict up front (as from a DAT), writing nothing', async () => {
    // DAT names are stored as given: simulate such a pair arriving in the catalogue.
    const db = new Database(path.join(lib, 'collection.db'));
    db.prepare("UPDATE file_set_file SET name = 'a/b' WHERE name = 'a' AND file_set_id IN (SELECT fs.id FROM file_set fs JOIN release r ON r.id = fs.release_id WHERE r.name = 'Col')").run();
    db.close();
    expect((await t('add', path.join(root, 'col', 'a'), '--system', SYS, '--release', 'Col', '--file-set', 'other')).code).toBe(0);
    const db2 = new Database(path.join(lib, 'collection.db'));
    db2.prepare("UPDATE file_set_file SET file_set_id = (SELECT file_set_id FROM file_set_file WHERE name = 'a/b' LIMIT 1) WHERE name = 'a'").run();
    db2.close();
    expect(await members('Col')).toEqual(['a', 'a/b']);
    const out = path.join(root, 'outc');
    for (const extra of [[], ['--overwrite']]) {
      const r = await t('export', 'Col', out, ...extra);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot export both ${path.join(out, 'rom', 'a')} and ${path.join(out, 'rom', 'a', 'b')}`);
      expect(r.stderr).not.toContain('appeared while exporting');
      expect(fs.existsSync(out)).toBe(false);
    }
  });
});

describe('names from file systems in error messages', () => {
  let root: string;
  let lib: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    expect((await t('init', '--name', 'dev')).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('cannot forge an output line with a newline or send an escape sequence', async () => {
    const src = path.join(root, 'src5');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'e\x1b[31mRED\ntrove: fake line'), 'x');
    const r = await t('add', src, '--system', SYS, '--release', 'T5');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.stderr).toContain('e\\x1b[31mRED\\x0atrove: fake line');
    expect(r.stderr).not.toContain('\x1b');
    // --json keeps the raw name, JSON-escaped.
    const j = await t('add', src, '--system', SYS, '--release', 'T5', '--json');
    expect((JSON.parse(j.stdout) as { error: { message: string } }).error.message).toContain('e\x1b[31mRED\ntrove: fake line');
  });
});

describe('release names in either Unicode form (NFC / NFD)', () => {
  let root: string;
  let lib: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);
  const NFD = 'Cafe\u0301 (USA)';
  const NFC = 'Caf\u00e9 (USA)';

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    expect((await t('init', '--name', 'dev')).code).toBe(0);
    fs.writeFileSync(path.join(root, 'one.bin'), 'one');
    fs.writeFileSync(path.join(root, 'two.bin'), 'two');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores the composed form, finds it by either, and adds to the same release', async () => {
    expect((await t('add', path.join(root, 'one.bin'), '--system', 'S\u0307', '--release', NFD)).code).toBe(0);
    const show = await t('show', NFC, '--json');
    expect(show.code).toBe(0);
    expect((await t('show', NFD)).code).toBe(0);
    expect((await t('add', path.join(root, 'two.bin'), '--system', '\u1e60', '--release', NFC)).code).toBe(0);
    const releases = JSON.parse((await t('ls', 'releases', '--json')).stdout) as { name: string; title: string; system: string; files: number }[];
    expect(releases).toEqual([expect.objectContaining({ name: NFC, title: 'Caf\u00e9', system: '\u1e60', files: 2 })]);
  });

  it('finds a release stored decomposed before this rule by the composed name', async () => {
    const db = new Database(path.join(lib, 'collection.db'));
    db.prepare('UPDATE release SET name = ? WHERE name = ?').run(NFD, NFC);
    db.close();
    expect((await t('show', NFC)).code).toBe(0);
    expect((await t('add', path.join(root, 'one.bin'), '--system', '\u1e60', '--release', NFC, '--file-set', 'again')).code).toBe(0);
    expect((JSON.parse((await t('ls', 'releases', '--json')).stdout) as unknown[]).length).toBe(1);
  });
});
