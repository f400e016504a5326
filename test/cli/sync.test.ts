// `trove sync|snapshots|backups|device` end to end through the built CLI, on the fs remote.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import Database from 'better-sqlite3';
import { Library } from '../../src/store/library.js';
import { StoreServices } from '../../src/tui/store-services.js';
import { addRelease, cliDevice, dbSha1, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir();
let a: CliDevice;
let b: CliDevice;
beforeAll(async () => {
  const remote = ['fs', `root=${path.join(root, 'remote')}`];
  a = await cliDevice(root, 'alpha', remote);
  b = await cliDevice(root, 'beta', remote);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('trove device', () => {
  it('shows and renames this device, in state.db only', async () => {
    const d = await a.json(['device']);
    expect(d).toMatchObject({ name: 'alpha' });
    expect((await a.ok(['device', 'name', 'laptop'])).stdout).toMatch(/now named laptop/);
    expect(await a.json(['device'])).toEqual({ id: d.id, name: 'laptop' });
    await a.ok(['device', 'name', 'alpha']);
  });
});

describe('trove sync', () => {
  it('pushes, reports status, pulls, and logs, with --json shapes for scripts', async () => {
    await addRelease(a, 'Alpha (USA)');
    const st0 = await a.json(['sync', 'status']);
    expect(st0).toMatchObject({ base: null, heads: [], ahead: 1, conflict: false, localChanges: { changed: true } });
    const pushed = await a.json(['sync', 'push']);
    expect(pushed).toMatchObject({ outcome: 'pushed', heads: [pushed.snapshot.id] });
    expect((await a.ok(['sync', 'push'])).stdout).toMatch(/Nothing to push/);
    const st = await b.json(['sync', 'status']);
    expect(st).toMatchObject({ base: null, behind: 1, ahead: 0, conflict: false, heads: [{ id: pushed.snapshot.id, device: { name: 'alpha' } }] });
    const pulled = await b.json(['sync', 'pull']);
    expect(pulled).toMatchObject({ outcome: 'fast-forward', snapshot: { id: pushed.snapshot.id } });
    expect(releases(b)).toEqual(['Alpha (USA)']);
    const text = (await b.ok(['sync', 'status'])).stdout;
    expect(text).toMatch(/Local changes: no/);
    expect(text).toMatch(/Up to date/);
    // B adds the same file it pulled the catalogue of: catalogue unchanged, content now stored here (QA2 F5.5).
    const same = path.join(b.dir, 'tmp', 'Alpha_USA_.gb');
    fs.writeFileSync(same, 'content of Alpha (USA)');
    const added = await b.ok(['add', same, '--system', 'Nintendo - Game Boy', '--release', 'Alpha (USA)']);
    expect(added.stdout).toMatch(/^stored +[0-9a-f]{40} {2}Alpha_USA_\.gb \(already in the catalogue; now on this device too\)$/m);
    fs.rmSync(same);
    expect((await b.ok(['sync', 'status'])).stdout).toMatch(/Local changes: no/);
    const log = await b.json(['sync', 'log']);
    expect(log[0]).toMatchObject({ direction: 'pull', outcome: 'ok', snapshotId: pushed.snapshot.id, conflict: false });
  });

  it('refuses a diverged push and pull with exit 3 and says what to run', async () => {
    await addRelease(a, 'Beta (USA)');
    await a.ok(['sync', 'push']);
    await addRelease(b, 'Gamma (USA)');
    const push = await b.run(['sync', 'push']);
    expect(push.code).toBe(3);
    expect(push.stderr).toMatch(/trove sync pull --resolve cloud/);
    const pull = await b.run(['sync', 'pull']);
    expect(pull.code).toBe(3);
    expect(pull.stderr).toMatch(/local changes.*--resolve local/);
    const st = await b.run(['sync', 'status']);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/Conflict: YES/);
    expect(st.stdout).toMatch(/release: 1 → 2 rows \(\+1\)/);
    // The merge kept pending (nothing applied), then discarded: the local database is as it was.
    const merge = await b.json(['sync', 'pull', '--resolve', 'merge', '--no-apply']);
    expect(merge).toMatchObject({ outcome: 'merge-pending', conflicts: [] });
    await b.ok(['merge', '--discard']);
    expect(releases(b)).toEqual(['Alpha (USA)', 'Gamma (USA)']);
    const log = await b.json(['sync', 'log']);
    expect(log[0]).toMatchObject({ direction: 'pull', outcome: 'ok', resolution: 'merge', snapshotId: null });
    expect(log[1]).toMatchObject({ direction: 'pull', outcome: 'refused', conflict: true });
  });

  it('resolves with cloud (undoable from a backup), then with local', async () => {
    const cloud = await b.json(['sync', 'pull', '--resolve', 'cloud']);
    expect(cloud.outcome).toBe('take-cloud');
    expect(releases(b)).toEqual(['Alpha (USA)', 'Beta (USA)']);
    const backups = await b.json(['backups', 'list']);
    expect(backups.at(-1)).toMatchObject({ id: cloud.backup, reason: expect.stringMatching(/resolve cloud/) });
    expect((await b.ok(['backups', 'restore', cloud.backup.slice(0, 24)])).stdout).toMatch(/Restored backup/);
    expect(releases(b)).toEqual(['Alpha (USA)', 'Gamma (USA)']);
    expect((await b.json(['backups', 'list'])).length).toBe(backups.length + 1);
    // B's base is the head again; its restored edit is a local change: a plain push publishes it.
    await addRelease(a, 'Delta (USA)');
    await a.ok(['sync', 'push']);
    const local = await b.json(['sync', 'pull', '--resolve', 'local']);
    expect(local.outcome).toBe('keep-local');
    await a.ok(['sync', 'pull']);
    expect(releases(a)).toEqual(['Alpha (USA)', 'Gamma (USA)']);
  });

  it('a backup whose file was deleted by hand is listed as missing and refused by restore; the others still restore (qa-b 12)', async () => {
    const before = await b.json(['backups', 'list']);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const gone = before[0];
    fs.rmSync(gone.file);
    const listed = await b.json(['backups', 'list']);
    expect(listed.map((x: { id: string; missing: boolean }) => [x.id, x.missing])).toEqual(before.map((x: { id: string }) => [x.id, x.id === gone.id]));
    expect((await b.ok(['backups', 'list'])).stdout).toMatch(/file missing: deleted outside trove/);
    const r = await b.run(['backups', 'restore', gone.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`backup ${gone.id}'s file .* is missing`));
    const services = new StoreServices(Library.open(b.dir));
    try {
      const points = await services.listBackups();
      expect(points.find((p) => p.id === gone.id)?.note).toMatch(/file missing/);
    } finally {
      services.close();
    }
  });

  it('keeps a forced push as a second head that both devices report', async () => {
    await addRelease(a, 'Epsilon (USA)');
    await a.ok(['sync', 'push']);
    await addRelease(b, 'Zeta (USA)');
    expect((await b.run(['sync', 'push'])).code).toBe(3);
    const forced = await b.json(['sync', 'push', '--force']);
    expect(forced.heads).toHaveLength(2);
    for (const d of [a, b]) {
      const st = await d.json(['sync', 'status']);
      expect(st).toMatchObject({ conflict: true });
      expect(st.heads).toHaveLength(2);
      expect((await d.run(['sync', 'pull'])).code).toBe(3);
    }
    const joined = await a.json(['sync', 'pull', '--resolve', 'cloud', '--head', forced.snapshot.id]);
    expect(joined.heads).toHaveLength(1);
    expect(releases(a)).toContain('Zeta (USA)');
    expect((await b.json(['sync', 'status'])).conflict).toBe(false);
  });
});

describe('a library open in another process', () => {
  it('is not replaced under it: pull exits 7 (busy), changes nothing, and works once it is closed', async () => {
    const remote = ['fs', `root=${path.join(root, 'remote-busy')}`];
    const c = await cliDevice(root, 'gamma', remote);
    const d = await cliDevice(root, 'delta', remote);
    await addRelease(c, 'Busy (USA)');
    await c.ok(['sync', 'push']);
    const before = dbSha1(d);
    // Another process's connection, as a TUI window would hold it (WAL mode: it keeps collection.db-wal).
    const other = new Database(path.join(d.dir, 'collection.db'));
    other.pragma('journal_mode = WAL');
    other.prepare('SELECT count(*) FROM release').get();
    try {
      const pull = await d.run(['sync', 'pull']);
      expect(pull.code).toBe(7);
      expect(pull.stderr).toMatch(/collection\.db is open in another process.*nothing was changed/);
      expect(releases(d)).toEqual([]);
    } finally {
      other.close();
    }
    expect(dbSha1(d)).toBe(before);
    expect(fs.readdirSync(path.join(d.dir, 'tmp'))).toEqual([]); // the downloaded snapshot is not left behind
    expect((await d.json(['backups', 'list'])).length).toBe(0);
    await d.ok(['sync', 'pull']);
    expect(releases(d)).toEqual(['Busy (USA)']);
  });
});

describe('trove snapshots', () => {
  it('lists, restores an old snapshot (undoable), and prunes safely', async () => {
    const list = await a.json(['snapshots', 'list']);
    expect(list.length).toBeGreaterThanOrEqual(5);
    expect(list.filter((s: { head: boolean }) => s.head)).toHaveLength(1);
    const first = list[0];
    const r = await a.json(['snapshots', 'restore', first.id]);
    expect(r.restored).toBe(first.id);
    expect(releases(a)).toEqual(['Alpha (USA)']);
    expect((await a.json(['sync', 'status'])).localChanges.changed).toBe(true);
    await a.ok(['backups', 'restore', r.backup]);
    expect(releases(a)).toContain('Zeta (USA)');
    const dry = await a.json(['snapshots', 'prune', '--keep-last', '1', '--dry-run']);
    expect(dry.dryRun).toBe(true);
    expect((await a.json(['snapshots', 'list'])).length).toBe(list.length);
    const pruned = await a.json(['snapshots', 'prune', '--keep-last', '1']);
    const left = await a.json(['snapshots', 'list']);
    expect(left.length).toBe(list.length - pruned.remove.length);
    const bBase = (await b.json(['sync', 'status'])).base;
    expect(left.map((s: { id: string }) => s.id)).toContain(bBase);
    expect(left.filter((s: { head: boolean }) => s.head)).toHaveLength(1);
    expect((await b.ok(['sync', 'pull'])).code).toBe(0);
    const bad = await a.run(['snapshots', 'prune', '--keep-last', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/keep-last/);
  });
});
