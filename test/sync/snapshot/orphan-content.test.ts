// Content an interrupted push left on the remote (QA2-E F4): `snapshots prune` sweeps what no
// manifest references once older than the grace period; referenced content and fresh uploads stay.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planOrphans } from '../../../src/sync/snapshot/orphan-content.js';
import { pruneSnapshots } from '../../../src/sync/snapshot/prune.js';
import { syncPull, syncPush } from '../../../src/sync/snapshot/push-pull.js';
import { getBase } from '../../../src/sync/snapshot/sync-state.js';
import { runCli, tempDir } from '../../helpers/cli.js';
import { addRelease, makeDevice, releaseNames, remoteSpec } from './helpers.js';

const root = tempDir('trove-orphans-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('planOrphans', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it('removes what is older than the grace period; keeps fresh objects and those of unknown age; grace 0 removes all', () => {
    const objs = [
      { key: 'old', size: 1, modifiedAt: '2026-11-30T12:00:00Z' },
      { key: 'fresh', size: 2, modifiedAt: '2026-12-02T11:30:00Z' },
      { key: 'unknown', size: 3, modifiedAt: null },
    ];
    expect(planOrphans(objs, now, 24 * 3_600_000)).toEqual({
      remove: [{ key: 'old', size: 1 }],
      keep: [
        { key: 'fresh', size: 2, reason: 'within grace period' },
        { key: 'unknown', size: 3, reason: 'age unknown' },
      ],
    });
    expect(planOrphans(objs, now, 0).remove.map((o) => o.key)).toEqual(['old', 'fresh', 'unknown']);
  });
});

describe('snapshots prune sweeps content no manifest references', () => {
  it('deletes chunks an interrupted push left (older than the grace), keeps a fresh one, and every snapshot still pulls', async () => {
    const spec = remoteSpec('fs', root);
    const remoteRoot = spec.options.root!;
    const a = makeDevice(root, 'alpha', spec);
    const b = makeDevice(root, 'beta', spec);
    await a.with(async (lib, remote) => {
      addRelease(lib, 'One (USA)');
      await syncPush(lib, remote);
    });
    // What a killed push leaves: chunks (and a file list) no manifest names.
    const planted = (key: string, ageHours: number) => {
      const p = path.join(remoteRoot, key);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, Buffer.alloc(4096, key.length));
      const t = new Date(Date.now() - ageHours * 3_600_000);
      fs.utimesSync(p, t, t);
      return p;
    };
    const old1 = planted(`metadata/chunks/aa/${'a'.repeat(40)}.zst`, 48);
    const old2 = planted(`metadata/file-lists/bb/${'b'.repeat(40)}.bin.zst`, 30);
    const fresh = planted(`metadata/chunks/cc/${'c'.repeat(40)}.zst`, 0.1);

    const dry = await a.with((lib, remote) => pruneSnapshots(remote, lib.state, { keepLast: 1, localBase: getBase(lib.state)!.snapshotId, dryRun: true }));
    expect(dry.orphans.deleted.map((o) => o.key).sort()).toEqual([`metadata/chunks/aa/${'a'.repeat(40)}.zst`, `metadata/file-lists/bb/${'b'.repeat(40)}.bin.zst`]);
    expect(fs.existsSync(old1) && fs.existsSync(old2)).toBe(true); // a dry run deletes nothing

    const cli = await runCli(['snapshots', 'prune', '--keep-last', '1', '--library', a.dir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Content no snapshot references \(left by interrupted pushes\): 2 object\(s\), 8\.00 KiB deleted; 1 kept/);
    expect(fs.existsSync(old1) || fs.existsSync(old2)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);

    await b.with((lib, remote) => syncPull(lib, remote));
    await b.with((lib) => expect(releaseNames(lib)).toEqual(['One (USA)']));
  });
});
