// One queue runner (upload, prune-blobs) per library: a second one says so instead of taking the
// first one's rows (QA2-E F6: the first died with a raw stack trace).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTroveError } from '../../src/store/errors.js';
import { DOWNLOAD_LOCK, takeRunnerLock } from '../../src/store/runner-lock.js';
import { runCli, tempDir } from '../helpers/cli.js';

const root = tempDir('trove-runner-lock-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('runner lock', () => {
  it('a second runner is refused with BUSY at once; after release it can run', () => {
    const dir = path.join(root, 'a');
    fs.mkdirSync(dir);
    const first = takeRunnerLock(dir, 'upload');
    let err: unknown;
    try {
      takeRunnerLock(dir, 'prune-blobs');
    } catch (e) {
      err = e;
    }
    expect(isTroveError(err, 'BUSY')).toBe(true);
    expect((err as Error).message).toMatch(/prune-blobs: another upload or prune-blobs is running/);
    first.release();
    takeRunnerLock(dir, 'upload').release();
  });

  it('the download lock is its own: a download run beside an upload runs, a second download (or a cancel) is refused naming download.lock', () => {
    const dir = path.join(root, 'dl');
    fs.mkdirSync(dir);
    const download = takeRunnerLock(dir, 'download', DOWNLOAD_LOCK);
    const upload = takeRunnerLock(dir, 'upload');
    let err: unknown;
    try {
      takeRunnerLock(dir, 'download --cancel', DOWNLOAD_LOCK);
    } catch (e) {
      err = e;
    }
    expect(isTroveError(err, 'BUSY')).toBe(true);
    expect((err as Error).message).toMatch(/^download --cancel: another download .* is running .*it holds download\.lock/);
    upload.release();
    download.release();
    takeRunnerLock(dir, 'download --cancel', DOWNLOAD_LOCK).release();
  });

  it('`trove upload` and `trove prune-blobs` beside a running upload exit 7 and change nothing', async () => {
    const lib = path.join(root, 'lib');
    const remote = path.join(root, 'remote');
    fs.mkdirSync(remote);
    const file = path.join(root, 'f.bin');
    fs.writeFileSync(file, 'some content');
    for (const args of [['init'], ['remote', 'set', 'fs', `root=${remote}`], ['add', file, '--system', 'S', '--release', 'R (USA)']]) {
      expect((await runCli([...args, '--library', lib])).code).toBe(0);
    }
    const held = takeRunnerLock(lib, 'upload');
    try {
      for (const args of [['upload'], ['prune-blobs', '--grace', '0']]) {
        const r = await runCli([...args, '--library', lib]);
        expect(r.code, args[0]).toBe(7);
        expect(r.stderr).toMatch(/another upload or prune-blobs is running/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      const files = fs.readdirSync(remote, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(files).toEqual([]);
    } finally {
      held.release();
    }
    const r = await runCli(['upload', '--library', lib]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Uploaded 1 blob/);
  });
});
