import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDir } from '../../src/store/make-dir.js';
import { ROOT, tempDir } from '../helpers/cli.js';

// A read-only bind mount needs a private mount namespace: `unshare -rm` (user + mount namespaces).
const BUILT = path.join(ROOT, 'dist', 'src', 'store', 'make-dir.js');
const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

describe('makeDir', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates missing parents and returns the first folder it made, like fs.mkdir', async () => {
    dir = tempDir();
    expect(await makeDir(path.join(dir, 'a', 'b', 'c'))).toBe(path.join(dir, 'a'));
    expect(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(await makeDir(path.join(dir, 'a', 'b'))).toBeUndefined();
  });

  it('reports a parent that is a file as ENOTDIR naming it', async () => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    await expect(makeDir(path.join(dir, 'file', 'sub', 'deeper'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's recursive mkdir says ENOENT here ("ENOENT: no such file or directory, mkdir …/store/rom/f0").
  it.runIf(canUnshare && fs.existsSync(BUILT))('reports a read-only file system as EROFS, not ENOENT', () => {
    dir = tempDir();
    fs.mkdirSync(path.join(dir, 'store'));
    const target = path.join(dir, 'store', 'rom', 'f0');
    const script = `import(${JSON.stringify(BUILT)}).then((m) => m.makeDir(${JSON.stringify(target)})).then(() => console.log('made'), (e) => console.log(e.code, e.message))`;
    const r = spawnSync('unshare', ['-rm', process.execPath, '-e', `require('child_process').execFileSync('mount', ['--bind', '-o', 'ro', ${JSON.stringify(dir)}, ${JSON.stringify(dir)}]); ${script}`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^EROFS .*mkdir '.*store\/rom'/m);
    expect(fs.existsSync(path.join(dir, 'store', 'rom'))).toBe(false);
  });
});
