// Catalogue writes by other trove processes while a pull or a restore replaces collection.db: real
// child processes, the replacement held at a pause point (TROVE_PAUSE_AT) while `trove add` runs.
// Nothing a command reported as done may vanish into the backup.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type CliResult } from '../helpers/cli.js';
import { addRelease, cliDevice, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir();
const remote = ['fs', `root=${path.join(root, 'remote')}`];
let a: CliDevice;
let pauseN = 0;

async function waitFor(file: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!fs.existsSync(file)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${file} did not appear`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Start `args` on `d`, held at `point` until the returned `release()`; resolves once it got there. */
async function startPaused(d: CliDevice, args: string[], point: string): Promise<{ done: Promise<CliResult>; release: () => void }> {
  const file = path.join(root, `pause-${++pauseN}`);
  const done = d.run(args, { TROVE_PAUSE_AT: point, TROVE_PAUSE_FILE: file });
  await Promise.race([waitFor(`${file}.reached`), done.then((r) => Promise.reject(new Error(`exited ${r.code} before ${point}: ${r.stderr}`)))]);
  return { done, release: () => fs.writeFileSync(file, '') };
}

function addFile(d: CliDevice, release: string): string {
  const file = path.join(root, `${release.replace(/\W+/g, '_')}.gb`);
  fs.writeFileSync(file, `content of ${release}`);
  return file;
}

beforeAll(async () => {
  a = await cliDevice(root, 'alpha', remote);
  await addRelease(a, 'One (USA)');
  await a.ok(['sync', 'push']);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a catalogue write while collection.db is being replaced', () => {
  it('an add that finishes while a pull downloads is kept: the pull refuses (exit 7) and replaces nothing', async () => {
    const b = await cliDevice(root, 'beta', remote);
    await b.ok(['sync', 'pull']);
    await addRelease(a, 'Two (USA)');
    await a.ok(['sync', 'push']);
    // The pull decided "no local changes, fast-forward" and is fetching the snapshot.
    const pull = await startPaused(b, ['sync', 'pull'], 'before-download');
    const add = await b.run(['add', addFile(b, 'Mine (USA)'), '--system', 'Nintendo - Game Boy', '--release', 'Mine (USA)']);
    expect(add.code).toBe(0);
    pull.release();
    const r = await pull.done;
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/changed while .*another trove process wrote to it.*nothing was replaced/);
    expect(releases(b)).toEqual(['Mine (USA)', 'One (USA)']);
    // Now it is what it is: local changes and a newer head.
    const st = await b.json(['sync', 'status']);
    expect(st).toMatchObject({ localChanges: { changed: true }, conflict: true });
    expect((await b.run(['sync', 'pull'])).code).toBe(3);
  });

  it('an add started during the replacement waits for it and lands in the new catalogue', async () => {
    const c = await cliDevice(root, 'gamma', remote);
    const pull = await startPaused(c, ['sync', 'pull'], 'during-replace'); // backup taken, rename not done
    const add = c.run(['add', addFile(c, 'Late (USA)'), '--system', 'Nintendo - Game Boy', '--release', 'Late (USA)']);
    let addDone = false;
    void add.then(() => (addDone = true));
    await new Promise((r) => setTimeout(r, 1500));
    expect(addDone).toBe(false); // waiting for the library lock, not writing to the file being retired
    pull.release();
    expect((await pull.done).code).toBe(0);
    const added = await add;
    expect(added.code, added.stderr).toBe(0);
    expect(releases(c)).toEqual(['Late (USA)', 'One (USA)', 'Two (USA)']);
    expect(await c.json(['sync', 'status'])).toMatchObject({ localChanges: { changed: true }, conflict: false });
    // The backup is the untouched old file: its fingerprint still verifies.
    const [backup] = await c.json(['backups', 'list']);
    expect((await c.run(['backups', 'restore', backup.id])).code).toBe(0);
  });

  it('an add during `snapshots restore` is kept: the restore refuses (exit 7)', async () => {
    const d = await cliDevice(root, 'delta', remote);
    await d.ok(['sync', 'pull']);
    const [first] = await d.json(['snapshots', 'list']);
    const restore = await startPaused(d, ['snapshots', 'restore', first.id], 'before-download');
    expect((await d.run(['add', addFile(d, 'During (USA)'), '--system', 'Nintendo - Game Boy', '--release', 'During (USA)'])).code).toBe(0);
    restore.release();
    const r = await restore.done;
    expect(r.code).toBe(7);
    expect(releases(d)).toEqual(['During (USA)', 'One (USA)', 'Two (USA)']);
  });

  it('a pull refuses (exit 7, nothing changed) while another process keeps the library open', async () => {
    const e = await cliDevice(root, 'epsilon', remote);
    const [first] = await e.json(['snapshots', 'list']);
    const pull = await startPaused(e, ['sync', 'pull'], 'before-download');
    // A restore held before its download keeps the library open in a second process.
    const restore = await startPaused(e, ['snapshots', 'restore', first.id], 'before-download');
    pull.release();
    const r = await pull.done;
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/open in another trove process.*nothing was changed/);
    expect(releases(e)).toEqual([]);
    restore.release();
    expect((await restore.done).code).toBe(0);
    expect(releases(e)).toEqual(['One (USA)']);
  });
});
