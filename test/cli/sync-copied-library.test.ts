// A library folder copied to a second machine shares its device id (state.db comes along). Before
// device-claim.ts, prune then deleted one copy's base and its next merge brought back what the other
// had deleted (/work/notes/qa-b.md 6d). End to end through the built CLI on the fs remote.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { addRelease, cliDevice, cliDeviceAt, releases } from './sync-helpers.js';

const root = tempDir('trove-copied-library-');
const SLOW = 240_000;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('the library that finds another one writing under its device id takes a new id, and prune keeps both bases', async () => {
  const remoteDir = path.join(root, 'remote');
  const a = await cliDevice(root, 'alpha', ['fs', `root=${remoteDir}`]);
  await addRelease(a, 'Zero (USA)');
  await addRelease(a, 'Doomed (USA)');
  await a.ok(['sync', 'push']);

  fs.cpSync(a.dir, path.join(root, 'alpha-copy'), { recursive: true });
  const copy = cliDeviceAt(path.join(root, 'alpha-copy'));
  const sharedId = (await a.json(['device'])).id;
  expect((await copy.json(['device'])).id).toBe(sharedId);

  await addRelease(copy, 'From the copy (USA)');
  const pushed = await copy.ok(['sync', 'push']);
  expect(pushed.stderr).not.toMatch(/another library/); // the copy's own record: its push is the newest write

  // The original sees a snapshot under its id that it did not write: status says so, changes nothing.
  const st = await a.json(['sync', 'status']);
  expect(st.sharedDeviceId).toEqual([expect.objectContaining({ kind: 'snapshot' })]);
  expect((await a.ok(['sync', 'status'])).stdout).toMatch(/Device id: shared/);
  expect((await a.json(['device'])).id).toBe(sharedId);

  // Its next push takes a new id first (and says so on stderr), then refuses as usual: the remote moved.
  const claimed = await a.run(['sync', 'push']);
  expect(claimed.stderr).toMatch(/another library uses this device id .* This library now has its own device id/s);
  const newId = (await a.json(['device'])).id;
  expect(newId).not.toBe(sharedId);
  expect((await copy.json(['device'])).id).toBe(sharedId);
  const log = await a.json(['sync', 'log']);
  expect(log.some((e: { message: string }) => e.message.includes(`own device id ${newId}`))).toBe(true);

  // The original deletes a release (a merge of the copy's push keeps the deletion), pushes, prunes hard.
  await a.ok(['sync', 'pull']);
  const sqlite = (await import('better-sqlite3')).default;
  const db = new sqlite(path.join(a.dir, 'collection.db'));
  db.pragma('foreign_keys = ON');
  db.prepare("DELETE FROM file_set WHERE release_id IN (SELECT id FROM release WHERE name = 'Doomed (USA)')").run();
  db.prepare("DELETE FROM release WHERE name = 'Doomed (USA)'").run();
  db.close();
  await a.ok(['sync', 'push']);
  await addRelease(a, 'Later (USA)');
  await a.ok(['sync', 'push']);
  const pruned = await a.json(['snapshots', 'prune', '--keep-last', '1']);
  expect(pruned.remove.length).toBeGreaterThan(0);

  // The copy's base (its own push) survived the prune: its pull is a fast-forward, and the deletion holds.
  const cst = await copy.json(['sync', 'status']);
  expect(cst).toMatchObject({ baseOnRemote: true, conflict: false, sharedDeviceId: [] });
  const pulled = await copy.ok(['sync', 'pull']);
  expect(pulled.stderr).not.toMatch(/another library/);
  expect(releases(copy)).toEqual(['From the copy (USA)', 'Later (USA)', 'Zero (USA)']);
  expect((await copy.json(['device'])).id).toBe(sharedId);
}, SLOW);

it('`trove device new-id` gives a library a new id on request', async () => {
  const d = await cliDevice(root, 'renewed', ['fs', `root=${path.join(root, 'remote-2')}`]);
  const before = (await d.json(['device'])).id;
  const r = await d.json(['device', 'new-id']);
  expect(r.previousId).toBe(before);
  expect(r.id).not.toBe(before);
  expect((await d.json(['device'])).id).toBe(r.id);
}, SLOW);
