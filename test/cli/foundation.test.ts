// The foundation commands, end to end through the built CLI as a user runs them.
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentBytes } from '../../fixtures/content.js';
import { runCli, tempDir } from '../helpers/cli.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const fileSha1 = (p: string) => sha1(fs.readFileSync(p));
const SNES = 'Nintendo - Super Nintendo Entertainment System';

function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile()).sort();
}

describe('trove foundation commands', () => {
  let root: string;
  let lib: string;
  let src: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    src = path.join(root, 'src');
    fs.mkdirSync(path.join(src, 'ActRaiser', 'extras'), { recursive: true });
    fs.writeFileSync(path.join(src, 'ActRaiser', 'ActRaiser (USA).sfc'), contentBytes('actraiser', 200_000));
    fs.writeFileSync(path.join(src, 'ActRaiser', 'extras', 'notes.txt'), 'sky palace\n');
    fs.writeFileSync(path.join(src, 'manual.txt'), contentBytes('manual', 3000, 'text'));
    const init = await t('init', '--name', 'test-device');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('test-device');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('adds a folder recursively under relative archive names and lists every level as JSON with id and name', async () => {
    const add = await t('add', path.join(src, 'ActRaiser'), '--system', SNES, '--release', 'ActRaiser (USA)');
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added +[0-9a-f]{40} +ActRaiser \(USA\)\.sfc/);
    expect(add.stdout).toMatch(/added +[0-9a-f]{40} +extras\/notes\.txt/);
    expect((await t('add', path.join(src, 'manual.txt'), '--system', SNES, '--release', 'ActRaiser (USA)', '--type', 'manual')).code).toBe(0);

    for (const what of ['systems', 'titles', 'releases', 'file-sets', 'files']) {
      const r = await t('ls', what, '--json');
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.stdout) as { id: string; name: string }[];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(typeof row.id).toBe('string');
        expect(typeof row.name).toBe('string');
      }
    }
    const releases = JSON.parse((await t('ls', 'releases', '--json')).stdout);
    expect(releases).toEqual([expect.objectContaining({ name: 'ActRaiser (USA)', system: SNES, title: 'ActRaiser', region: 'USA', files: 3, availability: 'LocalOnly' })]);
    const files = JSON.parse((await t('ls', 'files', '--release', 'ActRaiser (USA)', '--json')).stdout) as { name: string; sha1: string }[];
    expect(files.map((f) => f.name).sort()).toEqual(['ActRaiser (USA).sfc', 'extras/notes.txt', 'manual.txt']);
    expect(files.find((f) => f.name === 'ActRaiser (USA).sfc')!.sha1).toBe(fileSha1(path.join(src, 'ActRaiser', 'ActRaiser (USA).sfc')));

    const show = await t('show', 'ActRaiser (USA)');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`${SNES} › ActRaiser (USA)`);
    expect(show.stdout).toContain('extras/notes.txt');
  });

  it('stores nothing twice: adding the same content again writes no new blob', async () => {
    const before = listTree(path.join(lib, 'store'));
    const again = await t('add', path.join(src, 'ActRaiser'), '--system', SNES, '--release', 'ActRaiser (USA)', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).files.every((f: { result: string; stored: boolean }) => f.result === 'unchanged' && !f.stored)).toBe(true);
    expect(listTree(path.join(lib, 'store'))).toEqual(before);
  });

  it('exports a release under its original names, byte-identical, one folder per file set', async () => {
    const out = path.join(root, 'export');
    const r = await t('export', 'ActRaiser (USA)', out);
    expect(r.code).toBe(0);
    expect(listTree(out)).toEqual(['manual/manual.txt', 'rom/ActRaiser (USA).sfc', 'rom/extras/notes.txt']);
    expect(fileSha1(path.join(out, 'rom', 'ActRaiser (USA).sfc'))).toBe(fileSha1(path.join(src, 'ActRaiser', 'ActRaiser (USA).sfc')));
    const fileSets = JSON.parse((await t('ls', 'file-sets', '--json')).stdout) as { id: string; type: string }[];
    const romSet = fileSets.find((f) => f.type === 'rom')!;
    const flat = path.join(root, 'export-flat');
    expect((await t('export', romSet.id, flat)).code).toBe(0);
    expect(listTree(flat)).toEqual(['ActRaiser (USA).sfc', 'extras/notes.txt']);
  });

  it('verify passes on a healthy store and the blobs are standard zstd', async () => {
    const r = await t('verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 blob\(s\) checked.*0 bad/);
    if (spawnSync('zstd', ['--version']).status === 0) {
      for (const blob of listTree(path.join(lib, 'store'))) {
        const out = execFileSync('zstd', ['-dc', path.join(lib, 'store', blob)]);
        expect(sha1(out)).toBe(path.basename(blob, '.zst'));
      }
    }
  });

  it('refuses names with control characters before storing anything', async () => {
    const bad = path.join(root, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'ok.bin'), 'fine');
    fs.writeFileSync(path.join(bad, 'evil\u0007name.bin'), 'bell');
    const before = listTree(path.join(lib, 'store'));
    const r = await t('add', bad, '--system', SNES, '--release', 'Bad (USA)');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/evil.*control character/);
    expect(listTree(path.join(lib, 'store'))).toEqual(before);
    expect(JSON.parse((await t('ls', 'releases', '--json')).stdout)).toHaveLength(1);
  });

  it('fails as a whole when one path is unreadable or a fifo, naming it, and changes nothing', async () => {
    const fresh = path.join(root, 'fresh.bin');
    fs.writeFileSync(fresh, contentBytes('fresh', 10_000));
    const fifo = path.join(root, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    const before = listTree(path.join(lib, 'store'));
    for (const other of [path.join(root, 'does-not-exist.bin'), fifo, path.join(fresh, 'not-a-dir')]) {
      const r = await t('add', fresh, other, '--system', SNES, '--release', 'Partial (USA)');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(other);
      expect(listTree(path.join(lib, 'store'))).toEqual(before);
      expect(listTree(path.join(lib, 'tmp'))).toEqual([]);
    }
    expect(JSON.parse((await t('ls', 'releases', '--json')).stdout).map((r: { name: string }) => r.name)).toEqual(['ActRaiser (USA)']);
  });

  it('never writes outside the export folder for a hostile stored name', async () => {
    // Names from DATs are stored as given; simulate one arriving in the catalogue.
    const db = new Database(path.join(lib, 'collection.db'));
    db.prepare("UPDATE file_set_file SET name = '../../escaped.txt' WHERE name = 'extras/notes.txt'").run();
    db.close();
    const out = path.join(root, 'hostile', 'out');
    const r = await t('export', 'ActRaiser (USA)', out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/"\.\.\/\.\.\/escaped\.txt".*'\.\.'/);
    expect(listTree(path.join(root, 'hostile'))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'escaped.txt'))).toBe(false);
    const db2 = new Database(path.join(lib, 'collection.db'));
    db2.prepare("UPDATE file_set_file SET name = 'extras/notes.txt' WHERE name = '../../escaped.txt'").run();
    db2.close();
  });

  it('names a corrupt blob in verify (exit 4) and export writes nothing under the final name', async () => {
    const rom = fileSha1(path.join(src, 'ActRaiser', 'ActRaiser (USA).sfc'));
    const blob = path.join(lib, 'store', 'rom', rom.slice(0, 2), `${rom}.zst`);
    const original = fs.readFileSync(blob);
    const flipped = Buffer.from(original);
    flipped[flipped.length - 100]! ^= 0xff;
    fs.writeFileSync(blob, flipped);
    try {
      // Export first: verify moves the bad blob out of the store (to <library>/bad).
      const out = path.join(root, 'export-corrupt');
      const e = await t('export', 'ActRaiser (USA)', out);
      expect(e.code).toBe(4);
      expect(e.stderr).toContain(rom);
      expect(listTree(out)).toEqual([]);
      const v = await t('verify');
      expect(v.code).toBe(4);
      expect(v.stdout).toContain(`BAD ${rom}`);
      expect(fs.readFileSync(path.join(lib, 'bad', 'rom', `${rom}.zst`))).toEqual(flipped);
      fs.writeFileSync(blob, original.subarray(0, original.length - 50));
      const v2 = await t('verify', '--json');
      expect(v2.code).toBe(4);
      expect(JSON.parse(v2.stdout).bad).toEqual([expect.objectContaining({ sha1: rom, problem: expect.stringMatching(/truncated/) })]);
    } finally {
      fs.writeFileSync(blob, original);
    }
    expect((await t('verify')).code).toBe(0);
  });

  it('refuses a library created by a newer version with exit 6', async () => {
    const newer = path.join(root, 'newer');
    expect((await runCli(['--library', newer, 'init'])).code).toBe(0);
    const db = new Database(path.join(newer, 'collection.db'));
    db.pragma('user_version = 1000');
    db.close();
    const r = await runCli(['--library', newer, 'ls', 'releases']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/collection\.db has schema version 1000, newer than this trove understands/);
  });

  it('explains a missing library and usage errors with their exit codes', async () => {
    const missing = await runCli(['--library', path.join(root, 'nope'), 'ls', 'releases']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no trove library at .*nope.*trove init/);
    expect((await t('frobnicate')).code).toBe(2);
    expect((await t('add', src)).code).toBe(2); // --system and --release are required
    const json = await runCli(['--library', path.join(root, 'nope'), 'ls', 'releases', '--json']);
    expect(JSON.parse(json.stdout).error.code).toBe('NOT_FOUND');
  });

  it('creates a demo library on first run only', async () => {
    const demo = path.join(root, 'demo');
    const first = await runCli(['demo', '--library', demo]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Creating the demo library');
    expect(first.stdout).toMatch(/48 releases in the demo library/);
    const second = await runCli(['demo', '--library', demo, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ created: false });
    expect((await runCli(['--library', demo, 'verify'])).code).toBe(0);
  });
});

describe('disk full during ingest', () => {
  it('removes temp files and leaves the database unchanged', async () => {
    const mnt = tempDir('trove-full-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]).status === 0;
    if (!mounted) {
      console.warn('skipping the disk-full test: cannot mount a small tmpfs here (needs root)');
      fs.rmSync(mnt, { recursive: true, force: true });
      return;
    }
    const srcDir = tempDir();
    try {
      const lib = path.join(mnt, 'lib');
      expect((await runCli(['--library', lib, 'init'])).code).toBe(0);
      fs.writeFileSync(path.join(srcDir, 'small.bin'), contentBytes('small', 1000));
      fs.writeFileSync(path.join(srcDir, 'huge.bin'), contentBytes('huge', 6 * 1024 * 1024, 'random'));
      const dbBefore = fileSha1(path.join(lib, 'collection.db'));
      const r = await runCli(['--library', lib, 'add', srcDir, '--system', 'S', '--release', 'R']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/huge\.bin.*(no space|ENOSPC)/i);
      expect(listTree(path.join(lib, 'tmp'))).toEqual([]);
      expect(listTree(path.join(lib, 'store'))).toEqual([]);
      expect(fileSha1(path.join(lib, 'collection.db'))).toBe(dbBefore);
      expect(JSON.parse((await runCli(['--library', lib, 'ls', 'releases', '--json'])).stdout)).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
      fs.rmSync(srcDir, { recursive: true, force: true });
    }
  });
});
