import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTroveError, TroveError, withContext } from '../../src/store/errors.js';

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
