// `trove remote set fs` and every command on an fs remote whose folder is missing (a NAS not mounted).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('an fs remote whose root is missing', () => {
  let root: string;
  let lib: string;
  let mountPoint: string;
  let nas: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    mountPoint = path.join(root, 'mnt', 'nas');
    fs.mkdirSync(mountPoint, { recursive: true });
    nas = path.join(mountPoint, 'trove');
    expect((await t('init')).code).toBe(0);
    fs.writeFileSync(path.join(root, 'game.bin'), 'game content');
    expect((await t('add', path.join(root, 'game.bin'), '--system', 'S', '--release', 'G (USA)')).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  // QA-A #10: `remote set` accepted it, `remote check` said reachable, `upload` created the folder on
  // the local disk, and `drop` then freed the local copies.
  it('is refused by `remote set` (exit 5, nothing saved, nothing created) unless --create', async () => {
    const r = await t('remote', 'set', 'fs', `root=${nas}`, '--json');
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'REMOTE_UNAVAILABLE', message: expect.stringContaining(`${nas} does not exist (not mounted?)`) });
    expect(r.stderr).toContain('--create');
    expect(fs.readdirSync(mountPoint)).toEqual([]);
    expect(JSON.parse((await t('remote', 'show', '--json')).stdout).remote).toBeNull();

    const created = await t('remote', 'set', 'fs', `root=${nas}`, '--create');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('folder created');
    expect(fs.statSync(nas).isDirectory()).toBe(true);
  });

  it('makes check, upload, drop and sync fail with exit 5 naming the folder, and writes nothing there', async () => {
    expect((await t('upload')).code).toBe(0);
    fs.rmSync(nas, { recursive: true }); // the NAS is unmounted
    fs.writeFileSync(path.join(root, 'new.bin'), 'new content');
    expect((await t('add', path.join(root, 'new.bin'), '--system', 'S', '--release', 'N (USA)')).code).toBe(0); // pending upload
    const check = await t('remote', 'check');
    expect(check.code).toBe(5);
    expect(check.stdout + check.stderr).toContain(`${nas} does not exist (not mounted?)`);
    for (const args of [['upload'], ['drop', 'G (USA)'], ['sync', 'push'], ['sync', 'status']]) {
      const r = await t(...args);
      expect(r.code, args.join(' ')).toBe(5);
      expect(r.stderr, args.join(' ')).toContain(`${nas} does not exist (not mounted?)`);
      expect(fs.readdirSync(mountPoint), args.join(' ')).toEqual([]);
      // The summary counts the file drop could not confirm as kept (it used to say "0 kept").
      if (args[0] === 'drop') expect(r.stdout).toMatch(/dropped 0 local blob\(s\).*; 1 kept because their remote copy could not be confirmed/);
    }
    // The local copy is still there: drop freed nothing.
    expect(JSON.parse((await t('ls', 'files', '--json')).stdout)[0].availability).not.toBe('CloudOnly');
  });
});
