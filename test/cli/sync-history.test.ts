// Histories that used to lose or hide work, end to end through the built CLI on the fs remote:
// a base the remote does not know (the remote folder switched), a third device taking one of two heads,
// a parent cycle on the remote, and a push killed between its manifest and state.db.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { uuidv7 } from '../../src/store/ids.js';
import { addRelease, cliDevice, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-sync-history-');
const remoteDir = path.join(root, 'remote');
const SLOW = 240_000;
let a: CliDevice;
let b: CliDevice;
let c: CliDevice;

beforeAll(async () => {
  const remote = ['fs', `root=${remoteDir}`];
  a = await cliDevice(root, 'alpha', remote);
  b = await cliDevice(root, 'beta', remote);
  c = await cliDevice(root, 'gamma', remote);
  await addRelease(a, 'Zero (USA)');
  await a.ok(['sync', 'push']);
  await b.ok(['sync', 'pull']);
  await c.ok(['sync', 'pull']);
}, SLOW);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a base the remote does not know', () => {
  it('pushed to another folder (the NAS was not mounted): the next pull is a conflict, never a fast-forward', async () => {
    await addRelease(a, 'Unmounted (USA)');
    const elsewhere = path.join(root, 'not-the-nas');
    fs.mkdirSync(elsewhere);
    await a.ok(['remote', 'set', 'fs', `root=${elsewhere}`]);
    await a.ok(['sync', 'push']); // "the remote has no snapshot yet": the work lives only there now
    await a.ok(['remote', 'set', 'fs', `root=${remoteDir}`]);
    await addRelease(b, 'Meanwhile (USA)');
    await b.ok(['sync', 'push']);

    const st = await a.json(['sync', 'status']);
    expect(st).toMatchObject({ baseOnRemote: false, baseLost: true, localChanges: { changed: false }, conflict: true });
    // The text does not read "Local changes: no" beside "Conflict: YES" without saying why.
    expect((await a.ok(['sync', 'status'])).stdout).toMatch(/Local changes: no since the base — but the base itself is not in the head's history/);
    const pull = await a.run(['sync', 'pull']);
    expect(pull.code).toBe(3);
    expect(pull.stderr).toMatch(/no longer on the remote and not in the history of the head.*may exist only on this device/);
    expect(releases(a)).toContain('Unmounted (USA)');
    expect((await a.run(['sync', 'push'])).code).toBe(3);
    // The merge keeps both.
    expect((await a.run(['sync', 'pull', '--resolve', 'merge'])).code).toBe(0);
    expect(releases(a)).toEqual(['Meanwhile (USA)', 'Unmounted (USA)', 'Zero (USA)']);
    await b.ok(['sync', 'pull']);
    await c.ok(['sync', 'pull']);
  }, SLOW);
});

describe('--resolve cloud by a third device with two heads', () => {
  it("says whose changes it sets aside, and that they stay in the history", async () => {
    await addRelease(a, 'HA (USA)');
    const pushedA = await a.json(['sync', 'push']);
    await addRelease(b, 'HB (USA)');
    await b.ok(['sync', 'push', '--force']);
    // The conflict hint already says what each resolution keeps.
    const refused = await c.run(['sync', 'pull']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--resolve merge` \(keeps the changes of every head.*--resolve cloud` \(takes one head.*sets the other heads' changes aside/);
    const r = await c.run(['sync', 'pull', '--resolve', 'cloud']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`set aside: the changes of ${pushedA.snapshot.id} by alpha`);
    expect(r.stdout).toMatch(/stay in the snapshot history.*trove snapshots restore/);
    expect((await c.json(['sync', 'log']))[0].message).toContain(`set aside: the changes of ${pushedA.snapshot.id} by alpha`);
  }, SLOW);

  it('--json names the heads set aside (here by --resolve local, which sets aside every head)', async () => {
    await a.ok(['sync', 'pull']);
    await b.ok(['sync', 'pull']);
    await addRelease(a, 'HA2 (USA)');
    const pushedA = await a.json(['sync', 'push']);
    await addRelease(b, 'HB2 (USA)');
    const pushedB = await b.json(['sync', 'push', '--force']);
    const r = await c.json(['sync', 'pull', '--resolve', 'local']);
    expect(r.outcome).toBe('keep-local');
    expect(r.setAside.map((h: { id: string; device: { name: string } }) => [h.id, h.device.name]).sort()).toEqual(
      [
        [pushedA.snapshot.id, 'alpha'],
        [pushedB.snapshot.id, 'beta'],
      ].sort(),
    );
    expect(r.reason).toContain('set aside: the changes of');
  }, SLOW);
});

describe('a parent cycle on the remote', () => {
  it('is refused naming the snapshots (exit 4), instead of hiding every head', async () => {
    await a.ok(['sync', 'pull']);
    const snapDir = path.join(remoteDir, 'metadata', 'snapshots');
    const head = (await a.json(['sync', 'status'])).heads[0].id as string;
    const headManifest = JSON.parse(fs.readFileSync(path.join(snapDir, `${head}.json`), 'utf8'));
    const z = uuidv7();
    const w = uuidv7(Date.now() + 1000);
    fs.writeFileSync(path.join(snapDir, `${z}.json`), JSON.stringify({ ...headManifest, id: z, parents: [head, w] }));
    fs.writeFileSync(path.join(snapDir, `${w}.json`), JSON.stringify({ ...headManifest, id: w, parents: [z] }));
    for (const args of [['sync', 'status'], ['sync', 'pull'], ['sync', 'push']]) {
      const r = await b.run(args);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toMatch(new RegExp(`parent cycle: .*${z}.*${w}`));
    }
    fs.rmSync(path.join(snapDir, `${z}.json`));
    fs.rmSync(path.join(snapDir, `${w}.json`));
    expect((await b.run(['sync', 'status'])).code).toBe(0);
  }, SLOW);
});

describe('a push killed after its manifest, before state.db recorded it', () => {
  it('the next run adopts the snapshot as the base instead of conflicting with itself', async () => {
    await b.ok(['sync', 'pull']);
    await addRelease(b, 'Crash (USA)');
    const r = await b.run(['sync', 'push'], { TROVE_CRASH_AT: 'after-manifest' });
    expect(r.code).toBe(128);
    const st = await b.json(['sync', 'status']);
    expect(st).toMatchObject({ conflict: false, localChanges: { changed: false }, ahead: 0 });
    expect(st.base).toBe(st.heads[0].id);
    const again = await b.ok(['sync', 'push']);
    expect(again.stdout).toMatch(/Nothing to push/);
    expect(again.stderr).not.toMatch(/another library/); // its own manifest, recorded before it was written
    expect((await b.ok(['sync', 'pull'])).stdout).toMatch(/Nothing to pull/);
    const log = await b.json(['sync', 'log']);
    expect(log.some((e: { message: string }) => /interrupted before recording it/.test(e.message))).toBe(true);
    await a.ok(['sync', 'pull']);
    expect(releases(a)).toContain('Crash (USA)');
  }, SLOW);
});
