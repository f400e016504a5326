// `trove remote check`'s answers on a remote that refuses writes (QA2-E F11: a read-only NAS share
// was reported as neither reachable, listable nor readable, though downloads worked against it).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { checkRemote } from '../../../src/sync/transfer/remote-check.js';
import { tempDir } from '../../helpers/cli.js';
import { FaultyRemote } from './faulty-remote.js';

const root = tempDir('trove-remote-check-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('checkRemote', () => {
  it('a writable fs remote: every answer yes', async () => {
    fs.mkdirSync(path.join(root, 'rw'));
    const r = await checkRemote(new OpendalRemote({ scheme: 'fs', options: { root: path.join(root, 'rw') } }));
    expect(r).toMatchObject({ reachable: true, writable: true, listable: true, readable: true, ok: true });
  });

  it('a remote that refuses writes is still reachable and listable; reading is "not tried", not NO', async () => {
    fs.mkdirSync(path.join(root, 'ro'));
    const remote = new FaultyRemote(new OpendalRemote({ scheme: 'fs', options: { root: path.join(root, 'ro') } }));
    remote.failNext('write', 'IO');
    const r = await checkRemote(remote);
    expect(r).toMatchObject({ reachable: true, writable: false, listable: true, readable: null, ok: false });
    expect(r.steps.filter((s) => !s.ok).map((s) => s.step)).toEqual(['write']);
  });
});
