// How the command line reports failures: one clear line on stderr, `{"error": {code, message}}` on
// stdout with --json, the documented exit code, and a stack trace only for a real bug.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir } from '../helpers/cli.js';
import { ATARI } from '../store/catalog/real-dats.js';

const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

describe('trove error reporting', () => {
  let root: string;
  let lib: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    expect((await t('init')).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses a library path that is a file: a clear error and JSON, no stack', async () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'not a library');
    const r = await runCli(['init', '--library', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stderr).toContain(`${file} is a file`);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(file) });
    expect(fs.readFileSync(file, 'utf8')).toBe('not a library');
  });

  it('reports a usage error as JSON with --json, exit 2', async () => {
    const r = await t('frobnicate', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'USAGE', message: expect.stringContaining('frobnicate') });
  });

  it('refuses a numeric option that is not a whole number in range as a usage error (exit 2), before doing anything', async () => {
    for (const args of [
      ['upload', '--concurrency', 'abc'],
      ['download-all', '--concurrency', 'abc'],
      ['download', 'X (USA)', '--concurrency', '0'],
      ['scan', root, '--concurrency', '2.5'],
      ['prune-blobs', '--concurrency', 'many'],
      ['sync', 'log', '--limit', 'abc'],
      ['snapshots', 'prune', '--keep-last', 'abc'],
    ]) {
      const r = await t(...args, '--json');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).not.toMatch(/internal error|TypeError|NaN/);
      const option = args.find((a) => a.startsWith('--'))!;
      expect(r.stderr).toContain(`${option} needs a whole number`);
      expect(JSON.parse(r.stdout).error.code).toBe('USAGE');
    }
  });

  // Node's recursive mkdir reports ENOENT on a read-only file system; the real errno is EROFS.
  it.runIf(canUnshare)('says EROFS, not ENOENT, when the store is read-only, and no stack', () => {
    const src = path.join(root, 'ro.bin');
    fs.writeFileSync(src, 'read-only store content');
    const store = path.join(lib, 'store');
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', `mount --bind -o ro "$0" "$0" && exec "$1" "$2" add "$3" --system S --release "R (USA)" --library "$4" --json`, store, process.execPath, CLI, src, lib], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/EROFS/);
    expect(r.stderr).not.toMatch(/ENOENT|internal error|\n\s+at /);
    expect(JSON.parse(r.stdout).error.code).toBe('IO');
  });

  it('prints names from a DAT with their control characters escaped; --json keeps them as they are', async () => {
    const evil = 'Evil \x1b[31mRED\x1b[0m \x1b]0;PWNED\x07 (USA)';
    const rom = 'x\x1b[2J.bin';
    const dat = path.join(root, 'esc.dat');
    fs.writeFileSync(dat, `clrmamepro (\n name "EscSys"\n)\ngame (\n name "${evil}"\n rom ( name "${rom}" size 1 sha1 ${'a'.repeat(40)} )\n)\n`);
    expect((await t('dat', 'import', dat)).code).toBe(0);
    const raw = /[\x00-\x09\x0b-\x1f\x7f]/; // any control character but the line break
    for (const args of [['ls', 'releases'], ['ls', 'files'], ['report', '--missing'], ['show', evil], ['export', evil, path.join(root, 'esc-out')]]) {
      const r = await t(...args);
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(raw);
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(/Evil \\x1b\[31mRED|x(\\x1b|\\u001b)\[2J\.bin/);
    }
    const json = await t('ls', 'releases', '--json');
    expect(JSON.parse(json.stdout).map((r: { name: string }) => r.name)).toContain(evil);
  });

  // QA-A #5: rom/ok.bin was a folder; the export overwrote manual/man.pdf, then failed with a stack.
  it('export refuses a destination that is a folder: exit 1, JSON error, the user\'s files untouched', async () => {
    const src = path.join(root, 'h2');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'ok.bin'), 'ok');
    fs.writeFileSync(path.join(src, 'man.pdf'), 'man');
    expect((await t('add', path.join(src, 'ok.bin'), '--system', 'S', '--release', 'H2 (USA)')).code).toBe(0);
    expect((await t('add', path.join(src, 'man.pdf'), '--system', 'S', '--release', 'H2 (USA)', '--type', 'manual')).code).toBe(0);
    const out = path.join(root, 'out7');
    fs.mkdirSync(path.join(out, 'rom', 'ok.bin'), { recursive: true });
    fs.mkdirSync(path.join(out, 'manual'));
    fs.writeFileSync(path.join(out, 'manual', 'man.pdf'), 'precious');
    const r = await t('export', 'H2 (USA)', out, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${path.join(out, 'rom', 'ok.bin')} is a folder`) });
    expect(fs.readFileSync(path.join(out, 'manual', 'man.pdf'), 'utf8')).toBe('precious');
    expect(fs.readdirSync(path.join(out, 'manual'))).toEqual(['man.pdf']);

    const file = path.join(root, 'plain-file');
    fs.writeFileSync(file, 'x');
    const intoFile = await t('export', 'H2 (USA)', file, '--json');
    expect(intoFile.code).toBe(1);
    expect(intoFile.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(JSON.parse(intoFile.stdout).error.message).toContain(`${file} is a file, not a folder`);
  });

  // QA-C C6: `dat list --system Nope` printed "no DATs imported" and exited 0.
  it('dat list --system with an unknown system is an error naming the systems there are', async () => {
    const r = await t('dat', 'list', '--system', 'Nope', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no system "Nope"') });
    const known = await t('dat', 'list', '--system', 'EscSys', '--json');
    expect(known.code).toBe(0);
    expect(JSON.parse(known.stdout).sources.map((d: { system: string }) => d.system)).toEqual(['EscSys']);
  });
});


describe('a reader that stops reading stdout', () => {
  it('`trove ls releases --json | head -c 10`: trove stops quietly with its exit code, no EPIPE stack trace (QA2-D note)', async () => {
    const root = tempDir();
    const lib = path.join(root, 'lib');
    try {
      expect((await runCli(['init', '--library', lib])).code).toBe(0);
      expect((await runCli(['dat', 'import', ATARI, '--library', lib])).code).toBe(0);
      // A real pipe whose reader exits after 10 bytes, as `head` does; bash reports trove's own exit code.
      const sh = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ls releases --json --library "${lib}" 2>"${root}/err" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
      expect(sh.stdout.trim()).toBe('0');
      expect(fs.readFileSync(path.join(root, 'err'), 'utf8')).not.toMatch(/EPIPE|Unhandled/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
