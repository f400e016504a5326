import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromErrnoError, isErrnoError, isTroveError, TroveError, withContext } from '../../src/store/errors.js';
import { tempDir } from '../helpers/cli.js';

describe('TroveError', () => {
  it('is recognised across copies of the module (the CLI and TUI bundles each hold one)', async () => {
    // A second, independent copy of errors.ts: the same source loaded under another URL.
    const copy = (await import(/* @vite-ignore */ `../../src/store/errors.ts?copy=${Date.now()}`)) as typeof import('../../src/store/errors.js');
    expect(copy.TroveError).not.toBe(TroveError);
    const foreign = new copy.TroveError('NOT_FOUND', 'x is missing');
    expect(foreign instanceof TroveError).toBe(true);
    expect(isTroveError(foreign, 'NOT_FOUND')).toBe(true);
    expect(withContext('while testing', foreign).code).toBe('NOT_FOUND');
  });

  it('is not claimed by plain errors that merely carry a code', () => {
    const plain = Object.assign(new Error('nope'), { code: 'NOT_FOUND' });
    expect(plain instanceof TroveError).toBe(false);
    expect(withContext('reading', plain).code).toBe('IO');
  });
});

describe('fromErrnoError', () => {
  it('names the call, the paths and the real errno, and keeps them as details', () => {
    const dir = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'folder'));
      fs.writeFileSync(path.join(dir, 'a'), 'x');
      let err: unknown;
      try {
        fs.renameSync(path.join(dir, 'a'), path.join(dir, 'folder'));
      } catch (e) {
        err = e;
      }
      expect(isErrnoError(err)).toBe(true);
      const t = fromErrnoError(err as never);
      expect(t.code).toBe('IO');
      expect(t.message).toBe(`rename ${path.join(dir, 'a')} → ${path.join(dir, 'folder')}: EISDIR (illegal operation on a directory)`);
      expect(t.details).toEqual({ errno: 'EISDIR', syscall: 'rename', path: path.join(dir, 'a'), dest: path.join(dir, 'folder') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls a full disk NO_SPACE, and is not claimed by errors without a system call', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    expect(fromErrnoError(full as never, 'storing x').message).toBe('storing x: write: ENOSPC (no space left on device)');
    expect(fromErrnoError(full as never).code).toBe('NO_SPACE');
    expect(isErrnoError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isErrnoError(new TypeError('x'))).toBe(false);
  });
});

describe('the bundled command line', () => {
  const main = path.resolve('dist/src/cli/main.js');
  it.runIf(fs.existsSync(path.resolve('dist/src/cli/commands/cli-bundle.js')))('maps an error thrown inside the bundle to its exit code', () => {
    const r = spawnSync(process.execPath, [main, 'ls', 'releases', '--library', '/nonexistent/trove-lib', '--json'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/internal error|at .*cli-bundle\.js/);
    expect(r.stderr).toMatch(/no trove library at \/nonexistent\/trove-lib/);
    expect(JSON.parse(r.stdout).error.code).toBe('NOT_FOUND');
    expect(r.status).toBe(1); // NOT_FOUND is a generic failure; an unrecognised error would also print a stack
  });
});
