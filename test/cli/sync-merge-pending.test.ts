// The pending merge of `trove sync pull --resolve merge --no-apply` end to end through the built CLI:
// a follow-up merge after a refused push keeps the user's explicit choices (its ancestor is the head
// already merged, not the old base), and the pending merge belongs to its library, not to a path (a
// moved library applies it, a copy's discard leaves the original alone, a lost one is only forgotten).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { syncPull, syncPush } from '../../src/sync/snapshot/push-pull.js';
import { addRelease as addLibRelease, makeDevice, remoteSpec, type Device, type RemoteSpec } from '../sync/snapshot/helpers.js';
import { integrityOk, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-sync-merge-pending-');
const SLOW = 240_000; // many CLI processes; the suite runs files in parallel on 2 cores
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function setRegion(dir: string, release: string, region: string, updatedAt: string): void {
  const db = new Database(path.join(dir, 'collection.db'));
  try {
    expect(db.prepare('UPDATE release SET region = ?, updated_at = ? WHERE name = ?').run(region, updatedAt, release).changes).toBe(1);
  } finally {
    db.close();
  }
}

function region(dir: string, release: string): string {
  const db = new Database(path.join(dir, 'collection.db'), { readonly: true });
  try {
    return db.prepare('SELECT region FROM release WHERE name = ?').pluck().get(release) as string;
  } finally {
    db.close();
  }
}

function cliAt(dir: string, spec: RemoteSpec): CliDevice {
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--library', dir], { env: { ...spec.env, ...extra } });
  const ok = async (args: string[], extra?: NodeJS.ProcessEnv) => {
    const r = await run(args, extra);
    if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  return { dir, run, ok, json: async (args, extra) => JSON.parse((await ok([...args, '--json'], extra)).stdout) };
}

let n = 0;
/**
 * Devices A, B (and C) on one fs remote at the same base with "One" and "Two"; A edits Two's region to
 * Brazil (2099, later: the default when B merges) and pushes; B edits it to Korea (2098). B then starts
 * `sync pull --resolve merge --no-apply`: one conflict, default cloud (Brazil).
 */
async function pendingOnB() {
  const spec = remoteSpec('fs', root);
  const id = ++n;
  const A = makeDevice(root, `set-${id}/alpha`, spec);
  const B = makeDevice(root, `set-${id}/beta`, spec);
  const C = makeDevice(root, `set-${id}/gamma`, spec);
  await A.with(async (lib, remote) => {
    addLibRelease(lib, 'One (USA)');
    addLibRelease(lib, 'Two (USA)');
    await syncPush(lib, remote);
  });
  await B.with((lib, remote) => syncPull(lib, remote));
  await C.with((lib, remote) => syncPull(lib, remote));
  setRegion(A.dir, 'Two (USA)', 'Brazil', '2099-01-01T00:00:00.000Z');
  setRegion(B.dir, 'Two (USA)', 'Korea', '2098-01-01T00:00:00.000Z');
  await A.with((lib, remote) => syncPush(lib, remote));
  const b = cliAt(B.dir, spec);
  const r = await b.run(['sync', 'pull', '--resolve', 'merge', '--no-apply']);
  expect(r.code).toBe(3);
  const status = await b.json(['merge', '--status']);
  expect(status.pending.conflicts).toHaveLength(1);
  expect(status.pending.conflicts[0]).toMatchObject({ local: 'Korea', remote: 'Brazil', resolution: 'remote' });
  return { spec, A, B, C, b, mergeId: status.pending.id as string, conflictId: status.pending.conflicts[0].id as string };
}

const mergeDir = (lib: string, id: string) => path.join(lib, 'tmp', `merge-${id}`);

describe('follow-up merge after a refused push', () => {
  it('keeps the choice made against the default: the head already merged is the ancestor; both hints say the same', async () => {
    const { spec, A, C, b, conflictId } = await pendingOnB();
    await b.ok(['merge', '--resolve', `${conflictId}=local`]); // keep Korea, against the default (Brazil)
    // Another device pushes an unrelated change on top of A's head meanwhile.
    await C.with((lib, remote) => syncPull(lib, remote));
    await C.with(async (lib, remote) => {
      addLibRelease(lib, 'Gamma Only (USA)');
      await syncPush(lib, remote);
    });
    const applied = await b.run(['merge', '--apply']);
    expect(applied.code).toBe(3); // applied, but its push is refused: the remote moved on
    expect(region(b.dir, 'Two (USA)')).toBe('Korea');
    expect(applied.stderr).toMatch(/trove sync pull --resolve merge/);
    expect(applied.stdout).not.toMatch(/trove sync push/); // it would be refused again
    expect(applied.stdout).toMatch(/trove sync pull --resolve merge/);

    const merged = await b.json(['sync', 'pull', '--resolve', 'merge']);
    expect(JSON.stringify(merged)).not.toMatch(/Two \(USA\)/); // the settled conflict is not raised again
    expect(region(b.dir, 'Two (USA)')).toBe('Korea'); // the user's choice stands
    expect(releases(b)).toEqual(['Gamma Only (USA)', 'One (USA)', 'Two (USA)']);
    expect(integrityOk(b)).toBe(true);
    // And it is what every device gets.
    await A.with((lib, remote) => syncPull(lib, remote));
    expect(region(A.dir, 'Two (USA)')).toBe('Korea');
    expect(releases(cliAt(A.dir, spec))).toEqual(['Gamma Only (USA)', 'One (USA)', 'Two (USA)']);
  }, SLOW);
});

describe('a pull while a merge is pending', () => {
  it('--resolve cloud or local is refused (exit 3) until the merge is applied or discarded, as git refuses a pull during a merge (qa-b 12)', async () => {
    const { b } = await pendingOnB();
    const sha = () => fs.readFileSync(path.join(b.dir, 'collection.db')).toString('base64');
    const before = sha();
    for (const side of ['cloud', 'local']) {
      const r = await b.run(['sync', 'pull', '--resolve', side]);
      expect(r.code, side).toBe(3);
      expect(r.stderr).toMatch(/a merge is already pending: finish it with `trove merge --apply` or drop it with `trove merge --discard`/);
    }
    expect(sha()).toBe(before);
    expect(region(b.dir, 'Two (USA)')).toBe('Korea');
    await b.ok(['merge', '--discard']);
    const cloud = await b.json(['sync', 'pull', '--resolve', 'cloud']);
    expect(cloud.outcome).toBe('take-cloud');
    expect(region(b.dir, 'Two (USA)')).toBe('Brazil');
  }, SLOW);
});

describe('the pending merge belongs to its library, not to a path', () => {
  it('a copy discards only its own merge folder; the original still applies; a moved library applies too', async () => {
    const { spec, B, mergeId } = await pendingOnB();
    const copy = path.join(root, `copy-${n}`);
    fs.cpSync(B.dir, copy, { recursive: true });
    const c = cliAt(copy, spec);
    const discarded = await c.json(['merge', '--discard']);
    expect(discarded.discarded).toBe(mergeId);
    expect(fs.existsSync(mergeDir(copy, mergeId))).toBe(false);
    expect(fs.existsSync(path.join(mergeDir(B.dir, mergeId), 'base.db'))).toBe(true); // the original's, untouched

    const moved = path.join(root, `moved-${n}`);
    fs.renameSync(B.dir, moved);
    const m = cliAt(moved, spec);
    const applied = await m.json(['merge', '--apply']);
    expect(applied).toMatchObject({ applied: true });
    expect(region(moved, 'Two (USA)')).toBe('Brazil');
    expect(fs.existsSync(mergeDir(moved, mergeId))).toBe(false);
  }, SLOW);

  it('an older row with an absolute path outside the library: its own copies are used if present, otherwise it is lost and discard touches nothing outside', async () => {
    const { spec, B, mergeId } = await pendingOnB();
    const setDir = (lib: string, dir: string) => {
      const st = new Database(path.join(lib, 'state.db'));
      try {
        st.prepare('UPDATE pending_merge SET dir = ?').run(dir);
      } finally {
        st.close();
      }
    };
    // As an older trove wrote it in the original: absolute.
    setDir(B.dir, mergeDir(B.dir, mergeId));
    const copy = path.join(root, `copy-${n}`);
    fs.cpSync(B.dir, copy, { recursive: true });
    const c = cliAt(copy, spec);
    // The copy has its own copies of the inputs: it applies with them, not with the original's.
    fs.renameSync(mergeDir(B.dir, mergeId), path.join(B.dir, 'tmp', 'hidden'));
    const applied = await c.json(['merge', '--apply']);
    expect(applied).toMatchObject({ applied: true });
    expect(region(copy, 'Two (USA)')).toBe('Brazil');
    fs.renameSync(path.join(B.dir, 'tmp', 'hidden'), mergeDir(B.dir, mergeId));

    // A second copy whose own folder is gone: the merge is lost — apply says so and changes nothing.
    const lost = path.join(root, `lost-${n}`);
    fs.cpSync(B.dir, lost, { recursive: true });
    fs.rmSync(mergeDir(lost, mergeId), { recursive: true });
    const l = cliAt(lost, spec);
    const before = fs.readFileSync(path.join(lost, 'collection.db'));
    const r = await l.run(['merge', '--apply']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pending merge .* is lost/);
    expect(r.stderr).toMatch(/trove merge --discard/);
    expect(fs.readFileSync(path.join(lost, 'collection.db')).equals(before)).toBe(true);
    const discarded = await l.json(['merge', '--discard']);
    expect(discarded).toMatchObject({ discarded: mergeId });
    expect(discarded.lost).toMatch(/missing/);
    expect((await l.json(['merge', '--status'])).pending).toBeNull();
    // The original's folder (where the row pointed) is untouched, and the original still applies.
    expect(fs.existsSync(path.join(mergeDir(B.dir, mergeId), 'base.db'))).toBe(true);
    expect(await cliAt(B.dir, spec).json(['merge', '--apply'])).toMatchObject({ applied: true });
  }, SLOW);
});
