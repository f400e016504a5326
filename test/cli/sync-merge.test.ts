// `trove sync pull --resolve merge` end to end through the built CLI: two devices edit offline from one
// base, one pushes, the other merges (applied at once, or pending and resolved clash by clash through
// `trove merge`), the result is pushed with two parents and fast-forwards the first device; `trove diff`
// with base/head/snapshot/backup sides; SIGKILL during the merge's replacement. fs remote, one case on s3rver.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncPull, syncPush } from '../../src/sync/snapshot/push-pull.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startS3rver, type S3Server } from '../helpers/s3rver.js';
import { addRelease as addLibRelease, makeDevice, remoteSpec, type Device, type RemoteKind } from '../sync/snapshot/helpers.js';
import { pagesOf, smashPageHeader } from '../helpers/damage-db.js';
import { addRelease, dbSha1, integrityOk, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-sync-merge-');
const KILLED = 128;
const SLOW = 240_000; // many CLI processes; the suite runs files in parallel on 2 cores
let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Edit a release's region by hand (no CLI verb edits regions), with the updated_at that decides defaults. */
function setRegion(d: CliDevice, release: string, region: string, updatedAt: string): void {
  const db = new Database(path.join(d.dir, 'collection.db'));
  try {
    expect(db.prepare('UPDATE release SET region = ?, updated_at = ? WHERE name = ?').run(region, updatedAt, release).changes).toBe(1);
  } finally {
    db.close();
  }
}

function region(d: CliDevice, release: string): string {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return db.prepare('SELECT region FROM release WHERE name = ?').pluck().get(release) as string;
  } finally {
    db.close();
  }
}

interface Pair {
  a: CliDevice;
  b: CliDevice;
  manifest(id: string): Promise<{ parents: string[] }>;
}

/** A library driven through the built CLI (set up in-process, which is faster; the steps under test go through the CLI). */
function asCli(d: Device): CliDevice {
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--library', d.dir], { env: { ...d.spec.env, ...extra } });
  const ok = async (args: string[], extra?: NodeJS.ProcessEnv) => {
    const r = await run(args, extra);
    if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  return { dir: d.dir, run, ok, json: async (args, extra) => JSON.parse((await ok([...args, '--json'], extra)).stdout) };
}

let n = 0;
/**
 * Two devices on one remote, both at the same base with "One" and "Two", then offline: A adds "Alpha
 * Only" and sets One's region to Europe (2098), B adds "Beta Only" and sets One's region to Japan (2099,
 * later: B's value is the default); with `second`, Two is edited too (A: Brazil 2099, B: Korea 2098,
 * A's later). A pushes its edits; B has not pulled them.
 */
async function diverged(kind: RemoteKind, opts: { second?: boolean } = {}): Promise<Pair> {
  const spec = remoteSpec(kind, root, s3);
  const id = ++n;
  const A = makeDevice(root, `pair-${id}/alpha`, spec);
  const B = makeDevice(root, `pair-${id}/beta`, spec);
  const a = asCli(A);
  const b = asCli(B);
  await A.with(async (lib, remote) => {
    addLibRelease(lib, 'One (USA)');
    addLibRelease(lib, 'Two (USA)');
    await syncPush(lib, remote);
  });
  await B.with((lib, remote) => syncPull(lib, remote));
  await A.with((lib) => addLibRelease(lib, 'Alpha Only (USA)'));
  setRegion(a, 'One (USA)', 'Europe', '2098-01-01T00:00:00.000Z');
  await B.with((lib) => addLibRelease(lib, 'Beta Only (USA)'));
  setRegion(b, 'One (USA)', 'Japan', '2099-01-01T00:00:00.000Z');
  if (opts.second) {
    setRegion(a, 'Two (USA)', 'Brazil', '2099-01-01T00:00:00.000Z');
    setRegion(b, 'Two (USA)', 'Korea', '2098-01-01T00:00:00.000Z');
  }
  await A.with((lib, remote) => syncPush(lib, remote));
  const manifest: Pair['manifest'] =
    kind === 'fs'
      ? async (sid) => JSON.parse(fs.readFileSync(path.join(spec.options.root!, 'metadata', 'snapshots', `${sid}.json`), 'utf8'))
      : async (sid) => {
          const res = await fetch(`${spec.options.endpoint}/${spec.options.bucket}${spec.options.root}metadata/snapshots/${sid}.json`);
          expect(res.ok).toBe(true);
          return res.json() as Promise<{ parents: string[] }>;
        };
  return { a, b, manifest };
}

const BOTH = ['Alpha Only (USA)', 'Beta Only (USA)', 'One (USA)', 'Two (USA)'];

describe('trove sync pull --resolve merge', () => {
  it('merges both sides, prints each conflict with its resolution, pushes two parents, and the other device fast-forwards', async () => {
    const { a, b, manifest } = await diverged('fs');
    const baseBefore = (await b.json(['sync', 'status'])).base as string;
    const headA = (await a.json(['sync', 'status'])).base as string;
    expect((await b.run(['sync', 'pull'])).code).toBe(3);
    const r = await b.run(['sync', 'pull', '--resolve', 'merge']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[[0-9a-f]{10}\] field\s+Nintendo - Game Boy › One \(USA\): region: local 'Japan' \| cloud 'Europe' → local \(default: local changed it later/);
    expect(r.stdout).toMatch(/Pushed the merge as snapshot/);
    expect(releases(b)).toEqual(BOTH);
    expect(region(b, 'One (USA)')).toBe('Japan');
    expect(integrityOk(b)).toBe(true);
    const st = await b.json(['sync', 'status']);
    expect(st).toMatchObject({ conflict: false, localChanges: { changed: false } });
    expect(st.heads).toHaveLength(1);
    const merged = await manifest(st.base);
    expect(merged.parents).toEqual([headA, baseBefore]);
    // The pre-merge database is a backup like any other: listed, and it holds B's own edits only.
    const backups = await b.json(['backups', 'list']);
    expect(backups.at(-1).reason).toMatch(/resolve merge/);
    // A fast-forwards to the merge.
    const pulled = await a.json(['sync', 'pull']);
    expect(pulled).toMatchObject({ outcome: 'fast-forward', snapshot: { id: st.base } });
    expect(releases(a)).toEqual(BOTH);
    expect(region(a, 'One (USA)')).toBe('Japan');
    expect(integrityOk(a)).toBe(true);

    // trove diff with snapshot sides: base, head, a snapshot prefix, a backup id.
    await addRelease(b, 'Gamma (USA)');
    const d1 = await b.run(['diff', 'base', 'local']);
    expect(d1.code).toBe(0);
    expect(d1.stdout).toMatch(/\+ release\s+Nintendo - Game Boy › Gamma \(USA\)/);
    const d2 = await b.json(['diff', 'head', 'local', '--summary']);
    expect(d2.summary.release).toEqual({ added: 1, removed: 0, modified: 0 });
    expect(d2.changes).toBeUndefined();
    expect(d2.a.label).toMatch(/^snapshot .* \(head\)/);
    const backup = backups.at(-1).id as string;
    const prefix = headA.slice(0, 20);
    const d3 = await b.json(['diff', prefix, backup]);
    expect(d3.a.label).toContain(`snapshot ${headA}`);
    expect(d3.b.label).toContain(`backup ${backup}`);
    // A's head vs B's pre-merge database: A's release is absent there, B's is added, One differs.
    const labels = d3.changes.map((c: { change: string; label: string }) => `${c.change} ${c.label}`);
    expect(labels).toContain('removed Nintendo - Game Boy › Alpha Only (USA)');
    expect(labels).toContain('added Nintendo - Game Boy › Beta Only (USA)');
    expect(d3.changes.find((c: { label: string }) => c.label === 'Nintendo - Game Boy › One (USA)').fields).toEqual([{ field: 'region', before: 'Europe', after: 'Japan' }]);
    expect(fs.readdirSync(path.join(b.dir, 'tmp'))).toEqual([]); // temporary copies removed
    const unknown = await b.run(['diff', 'zz9', 'local']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown side "zz9".*closest/);
    const ambiguous = await b.run(['diff', headA.slice(0, 4), 'local']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/ambiguous/);
  }, SLOW);

  it('--no-apply keeps the merge pending; conflicts resolved one each way; --apply survives a SIGKILL during the replace and pushes two parents', async () => {
    const { a, b, manifest } = await diverged('fs', { second: true });
    const baseBefore = (await b.json(['sync', 'status'])).base as string;
    const headA = (await a.json(['sync', 'status'])).base as string;
    const before = releases(b);
    const r = await b.run(['sync', 'pull', '--resolve', 'merge', '--no-apply']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/2 conflict\(s\)/);
    expect(releases(b)).toEqual(before); // nothing applied
    const status = await b.json(['merge', '--status']);
    const byRelease = (name: string) => status.pending.conflicts.find((c: { label: string }) => c.label.includes(name));
    expect(byRelease('One')).toMatchObject({ local: 'Japan', remote: 'Europe', resolution: 'local' });
    expect(byRelease('Two')).toMatchObject({ local: 'Korea', remote: 'Brazil', resolution: 'remote' });
    // Each against its default: One → cloud, Two → local.
    await b.ok(['merge', '--resolve', `${byRelease('One').id}=cloud`, '--resolve', `${byRelease('Two').id.slice(0, 5)}=local`]);
    // A second merge cannot start meanwhile.
    expect((await b.run(['sync', 'pull', '--resolve', 'merge'])).code).toBe(3);

    // SIGKILL after the backup, before the rename: the old database, whole; the merge resumable.
    const killed = await b.run(['merge', '--apply'], { TROVE_CRASH_AT: 'during-replace' });
    expect(killed.code).toBe(KILLED);
    expect(releases(b)).toEqual(before);
    expect(region(b, 'One (USA)')).toBe('Japan');
    expect(integrityOk(b)).toBe(true);
    expect((await b.ok(['merge', '--status'])).stdout).toMatch(/an apply was interrupted/);
    // Pushing now would publish the unmerged database: it is refused, nothing names A's head yet.
    expect((await b.run(['sync', 'push'])).code).toBe(3);

    const applied = await b.json(['merge', '--apply']);
    expect(applied).toMatchObject({ applied: true, parents: [headA, baseBefore] });
    expect(region(b, 'One (USA)')).toBe('Europe');
    expect(region(b, 'Two (USA)')).toBe('Korea');
    expect(releases(b)).toEqual(BOTH);
    expect(integrityOk(b)).toBe(true);
    expect((await manifest(applied.snapshot.id)).parents).toEqual([headA, baseBefore]);
    const backups = await b.json(['backups', 'list']);
    expect(backups.map((x: { id: string }) => x.id)).toContain(applied.backup);
    expect(backups.find((x: { id: string }) => x.id === applied.backup).reason).toMatch(/^merge /);
    expect((await b.json(['merge', '--status'])).pending).toBeNull();

    await a.ok(['sync', 'pull']);
    expect(releases(a)).toEqual(BOTH);
    expect([region(a, 'One (USA)'), region(a, 'Two (USA)')]).toEqual(['Europe', 'Korea']);
    // The pre-merge backup restores B's own version (and is itself undoable).
    await b.ok(['backups', 'restore', applied.backup]);
    expect(releases(b)).toEqual(before);
  }, SLOW);

  it('restoring the pre-merge backup forgets the merge: the next merge takes the heads as new again, nothing of theirs is lost', async () => {
    const { a, b } = await diverged('fs');
    const before = releases(b);
    const killed = await b.run(['sync', 'pull', '--resolve', 'merge', '--prefer', 'cloud'], { TROVE_CRASH_AT: 'after-rename' });
    expect(killed.code).toBe(KILLED);
    expect(releases(b)).toEqual(BOTH);
    const preMerge = (await b.json(['backups', 'list'])).at(-1); // oldest first: the one the merge took
    await b.ok(['backups', 'restore', preMerge.id]);
    expect(releases(b)).toEqual(before);
    // The merged heads are no longer in the database: no push may name them, and no merge may treat
    // them as the common ancestor (that would read A's changes as deleted here).
    const st = await b.json(['sync', 'status']);
    expect(st.mergedParents ?? null).toBeNull();
    expect(st.conflict).toBe(true);
    await b.ok(['sync', 'pull', '--resolve', 'merge', '--prefer', 'cloud']);
    expect(releases(b)).toEqual(BOTH);
    await a.ok(['sync', 'pull']);
    expect(releases(a)).toEqual(BOTH);
  }, SLOW);

  it('SIGKILL after the rename: the merged database stays, and `trove sync push` publishes it with both parents', async () => {
    const { a, b, manifest } = await diverged('fs');
    const baseBefore = (await b.json(['sync', 'status'])).base as string;
    const headA = (await a.json(['sync', 'status'])).base as string;
    const killed = await b.run(['sync', 'pull', '--resolve', 'merge', '--prefer', 'cloud'], { TROVE_CRASH_AT: 'after-rename' });
    expect(killed.code).toBe(KILLED);
    expect(releases(b)).toEqual(BOTH);
    expect(region(b, 'One (USA)')).toBe('Europe'); // --prefer cloud
    expect(integrityOk(b)).toBe(true);
    // Status agrees: no conflict to resolve (--resolve cloud would discard the merge), just a push.
    const st = await b.json(['sync', 'status']);
    expect(st).toMatchObject({ conflict: false, mergedParents: [headA, baseBefore] });
    expect(st.next).toMatch(/applied locally but not pushed yet: run `trove sync push`/);
    // Pulling again does not merge a second time (which could undo --prefer): it says to push.
    expect((await b.ok(['sync', 'pull', '--resolve', 'merge'])).stdout).toMatch(/trove sync push/);
    const pushed = await b.json(['sync', 'push']);
    expect((await manifest(pushed.snapshot.id)).parents).toEqual([headA, baseBefore]);
    await a.ok(['sync', 'pull']);
    expect(region(a, 'One (USA)')).toBe('Europe');
    expect(releases(a)).toEqual(BOTH);
  }, SLOW);

  it('refuses to install a merge built from a damaged local database: exit 4, collection.db byte for byte as it was, no backup taken, nothing pushed', async () => {
    const { b } = await diverged('fs');
    const file = path.join(b.dir, 'collection.db');
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // A page no merge step reads (an index of the DAT tables): only the check of the result sees it.
    smashPageHeader(file, pagesOf(file, 'dat_rom_crc32')[0]!);
    const before = dbSha1(b);
    const backupsBefore = (await b.json(['backups', 'list'])).length;
    const statusBefore = await b.json(['sync', 'status']);
    const r = await b.run(['sync', 'pull', '--resolve', 'merge']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/merged database .*: quick_check failed: .*page \d+/);
    expect(dbSha1(b)).toBe(before);
    expect((await b.json(['backups', 'list'])).length).toBe(backupsBefore);
    expect((await b.json(['sync', 'status'])).heads).toEqual(statusBefore.heads);
    expect(fs.readdirSync(path.join(b.dir, 'tmp'))).toEqual([]);
  }, SLOW);

  it('two devices add different files under one archive name: the merge keeps both, the loser beside the winner (qa-b 5)', async () => {
    const spec = remoteSpec('fs', root, s3);
    const A = makeDevice(root, `same-name/alpha`, spec);
    const B = makeDevice(root, `same-name/beta`, spec);
    const [a, b] = [asCli(A), asCli(B)];
    await A.with(async (lib, remote) => {
      addLibRelease(lib, 'One (USA)');
      await syncPush(lib, remote);
    });
    await B.with((lib, remote) => syncPull(lib, remote));
    const sha1s: string[] = [];
    for (const [d, content] of [[a, 'the first device'], [b, 'the second device']] as const) {
      const file = path.join(root, 'same-name', `${content.replace(/ /g, '-')}`, 'game.bin');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      sha1s.push(createHash('sha1').update(content).digest('hex'));
      await d.ok(['add', file, '--system', 'Nintendo - Game Boy', '--release', 'Same (USA)']);
    }
    await a.ok(['sync', 'push']);
    const r = await b.json(['sync', 'pull', '--resolve', 'merge']);
    expect(r.conflicts).toEqual([expect.objectContaining({ kind: 'field', field: 'file_sha1' })]);
    const members = (d: CliDevice) => {
      const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
      try {
        return db
          .prepare("SELECT m.name, m.file_sha1 AS sha1 FROM file_set_file m JOIN file_set s ON s.id = m.file_set_id JOIN release r ON r.id = s.release_id WHERE r.name = 'Same (USA)' ORDER BY m.name")
          .all() as { name: string; sha1: string }[];
      } finally {
        db.close();
      }
    };
    const merged = members(b);
    expect(merged.map((m) => m.sha1).sort()).toEqual([...sha1s].sort());
    expect(merged.map((m) => m.name)).toEqual([expect.stringMatching(/^game \(conflict [0-9a-f]{8}\)\.bin$/), 'game.bin']);
    expect(integrityOk(b)).toBe(true);
    await a.ok(['sync', 'pull']);
    expect(members(a)).toEqual(merged);
  }, SLOW);

  it('works on s3rver', async () => {
    const { a, b, manifest } = await diverged('s3');
    const r = await b.json(['sync', 'pull', '--resolve', 'merge']);
    expect(r).toMatchObject({ outcome: 'merge', conflicts: [{ kind: 'field', field: 'region', resolution: 'local' }] });
    expect((await manifest(r.snapshot.id)).parents).toHaveLength(2);
    expect(releases(b)).toEqual(BOTH);
    expect(integrityOk(b)).toBe(true);
    await a.ok(['sync', 'pull']);
    expect(releases(a)).toEqual(BOTH);
  }, SLOW);
});
