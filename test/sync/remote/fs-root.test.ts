// An fs remote's root must exist: a NAS that is not mounted must not turn into a folder on the local
// disk that uploads land in and `drop` then trusts.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFsRoot, prepareFsRoot } from '../../../src/sync/remote/fs-root.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('trove-fsroot-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('checkFsRoot / prepareFsRoot', () => {
  it('accepts an existing folder, calls a missing one unavailable (not mounted?) and a file misconfigured', async () => {
    await expect(checkFsRoot(dir)).resolves.toBeUndefined();
    const missing = path.join(dir, 'nas', 'trove');
    await expect(checkFsRoot(missing)).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE', message: expect.stringMatching(new RegExp(`${missing} does not exist \\(not mounted\\?\\)`)) });
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    await expect(checkFsRoot(path.join(dir, 'file'))).rejects.toMatchObject({ code: 'REMOTE_CONFIG' });
    await expect(checkFsRoot(path.join(dir, 'file', 'below'))).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
  });

  it('creates a missing root only when asked', async () => {
    const missing = path.join(dir, 'nas', 'trove');
    await expect(prepareFsRoot(missing, false)).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
    expect(fs.existsSync(path.join(dir, 'nas'))).toBe(false);
    expect(await prepareFsRoot(missing, true)).toBe(true);
    expect(fs.statSync(missing).isDirectory()).toBe(true);
    expect(await prepareFsRoot(missing, true)).toBe(false);
  });
});

describe('OpendalRemote (fs) with a missing root', () => {
  it('fails every operation as REMOTE_UNAVAILABLE naming the root, and creates nothing', async () => {
    const mountPoint = path.join(dir, 'mnt', 'nas');
    fs.mkdirSync(mountPoint, { recursive: true });
    const root = path.join(mountPoint, 'trove');
    const remote = new OpendalRemote({ scheme: 'fs', options: { root } });
    const unavailable = { code: 'REMOTE_UNAVAILABLE', message: expect.stringContaining(`${root} does not exist (not mounted?)`) };
    await expect(remote.write('rom/ab/x.zst', Buffer.from('data'))).rejects.toMatchObject(unavailable);
    await expect(remote.write('rom/ab/y.zst', (async function* () { yield Buffer.from('data'); })())).rejects.toMatchObject(unavailable);
    await expect(remote.stat('rom/ab/x.zst')).rejects.toMatchObject(unavailable);
    await expect(remote.list('rom/')).rejects.toMatchObject(unavailable);
    await expect(remote.readAll('metadata/x.json')).rejects.toMatchObject(unavailable);
    await expect((async () => { for await (const _ of remote.read('rom/ab/x.zst')) void _; })()).rejects.toMatchObject(unavailable);
    await expect(remote.delete('rom/ab/x.zst')).rejects.toMatchObject(unavailable);
    expect(fs.readdirSync(mountPoint)).toEqual([]);
  });

  it('works once the root is there (mounted)', async () => {
    const root = path.join(dir, 'remote');
    const remote = new OpendalRemote({ scheme: 'fs', options: { root } });
    await expect(remote.stat('k')).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
    fs.mkdirSync(root);
    await remote.write('k', Buffer.from('v'));
    expect((await remote.readAll('k')).toString()).toBe('v');
  });
});
