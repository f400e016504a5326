import { describe, expect, it } from 'vitest';
import { planMerge } from '../../../src/sync/merge/merge-plan.js';
import type { Conflict, MergeOptions } from '../../../src/sync/merge/merge-types.js';
import { uploadSeenDone } from '../../../src/sync/merge/row-merge.js';
import { applyToWorld, cloneWorld, deleteCascade, put, sampleWorld, setFields, sha, toChangedInput, toInput, violations, type World } from './world.js';

const T1 = '2026-02-01T00:00:00.000Z';
const T2 = '2026-03-01T00:00:00.000Z';
const DEVICES = { localDevice: 'device-a', remoteDevice: 'device-b' };

interface Case {
  name: string;
  local?: (w: World) => void;
  remote?: (w: World) => void;
  opts?: Partial<MergeOptions> | ((conflicts: Conflict[]) => Partial<MergeOptions>);
  /** kind/table/key/resolution of every conflict, in any order. */
  conflicts?: { kind: Conflict['kind']; table: string; key?: string; field?: string; resolution: 'local' | 'remote'; defaultSide?: 'local' | 'remote' }[];
  check: (merged: World, local: World, remote: World) => void;
}

const region = (w: World, id: string) => w.release.get(id)?.region;

const cases: Case[] = [
  {
    name: 'no changes on either side: nothing to do',
    check: (m, l) => expect(m).toEqual(l),
  },
  {
    name: 'a change on local only is kept',
    local: (w) => setFields(w, 'release', 'r1', { region: 'USA, Canada' }, T1),
    check: (m) => expect(region(m, 'r1')).toBe('USA, Canada'),
  },
  {
    name: 'a change on the cloud only is taken',
    remote: (w) => setFields(w, 'release', 'r1', { region: 'USA, Canada' }, T1),
    check: (m) => expect(region(m, 'r1')).toBe('USA, Canada'),
  },
  {
    name: 'the same change on both sides is no conflict',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T1),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T2),
    check: (m) => {
      expect(region(m, 'r1')).toBe('Canada');
      expect(m.release.get('r1')!.updated_at).toBe(T2);
    },
  },
  {
    name: 'different fields of one row changed on each side merge silently',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T1),
    remote: (w) => setFields(w, 'release', 'r1', { software_title_id: 't2' }, T2),
    check: (m) => expect(m.release.get('r1')).toMatchObject({ region: 'Canada', software_title_id: 't2', updated_at: T2 }),
  },
  {
    name: 'same field changed differently: the later cloud edit wins by default',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T1),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'Europe' }, T2),
    conflicts: [{ kind: 'field', table: 'release', key: 'r1', field: 'region', resolution: 'remote', defaultSide: 'remote' }],
    check: (m) => expect(region(m, 'r1')).toBe('Europe'),
  },
  {
    name: 'same field changed differently: the later local edit wins by default',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T2),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'Europe' }, T1),
    conflicts: [{ kind: 'field', table: 'release', key: 'r1', field: 'region', resolution: 'local', defaultSide: 'local' }],
    check: (m) => expect(region(m, 'r1')).toBe('Canada'),
  },
  {
    name: 'same field at the same instant: the greater device id (cloud here) breaks the tie',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T1),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'Europe' }, T1),
    conflicts: [{ kind: 'field', table: 'release', key: 'r1', resolution: 'remote', defaultSide: 'remote' }],
    check: (m) => expect(region(m, 'r1')).toBe('Europe'),
  },
  {
    name: 'same field at the same instant: the greater device id (local here) breaks the tie',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T1),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'Europe' }, T1),
    opts: { localDevice: 'device-z' },
    conflicts: [{ kind: 'field', table: 'release', key: 'r1', resolution: 'local', defaultSide: 'local' }],
    check: (m) => expect(region(m, 'r1')).toBe('Canada'),
  },
  {
    name: 'a field conflict can be overridden to the older side',
    local: (w) => setFields(w, 'release', 'r1', { region: 'Canada' }, T1),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'Europe' }, T2),
    opts: (cs) => ({ overrides: { [cs[0]!.id]: 'local' } }),
    conflicts: [{ kind: 'field', table: 'release', key: 'r1', resolution: 'local', defaultSide: 'remote' }],
    check: (m) => expect(region(m, 'r1')).toBe('Canada'),
  },
  {
    name: '--prefer local resolves every conflict to local, keeping non-conflicting cloud changes',
    local: (w) => setFields(setFields(w, 'release', 'r1', { region: 'Canada' }, T1), 'software_title', 't1', { name: 'ActRaiser!' }, T1),
    remote: (w) => setFields(setFields(setFields(w, 'release', 'r1', { region: 'Europe' }, T2), 'software_title', 't1', { name: 'Actraiser' }, T2), 'release', 'r3', { region: 'Europe' }, T2),
    opts: { prefer: 'local' },
    conflicts: [
      { kind: 'field', table: 'release', key: 'r1', resolution: 'local' },
      { kind: 'field', table: 'software_title', key: 't1', resolution: 'local' },
    ],
    check: (m) => {
      expect(region(m, 'r1')).toBe('Canada');
      expect(m.software_title.get('t1')!.name).toBe('ActRaiser!');
      expect(region(m, 'r3')).toBe('Europe');
    },
  },
  {
    name: 'local deleted a release the cloud edited: the edit wins, the release comes back with its file sets',
    local: (w) => deleteCascade(w, 'release', 'r1'),
    remote: (w) => setFields(w, 'release', 'r1', { region: 'USA, Canada' }, T1),
    conflicts: [{ kind: 'delete_edit', table: 'release', key: 'r1', resolution: 'remote', defaultSide: 'remote' }],
    check: (m) => {
      expect(region(m, 'r1')).toBe('USA, Canada');
      expect([...m.file_set.keys()]).toEqual(expect.arrayContaining(['fs1', 'fs1m']));
      expect(m.file_set_file.has('m1')).toBe(true);
    },
  },
  {
    name: 'the cloud deleted a release local edited: the local edit wins',
    local: (w) => setFields(w, 'release', 'r1', { region: 'USA, Canada' }, T1),
    remote: (w) => deleteCascade(w, 'release', 'r1'),
    conflicts: [{ kind: 'delete_edit', table: 'release', key: 'r1', resolution: 'local', defaultSide: 'local' }],
    check: (m, l) => expect(m).toEqual(l),
  },
  {
    name: 'delete against edit overridden to the delete: the release and everything under it go',
    local: (w) => setFields(w, 'release', 'r1', { region: 'USA, Canada' }, T1),
    remote: (w) => deleteCascade(w, 'release', 'r1'),
    opts: (cs) => ({ overrides: { [cs[0]!.id]: 'remote' } }),
    conflicts: [{ kind: 'delete_edit', table: 'release', key: 'r1', resolution: 'remote', defaultSide: 'local' }],
    check: (m) => {
      expect(m.release.has('r1')).toBe(false);
      expect(m.file_set.has('fs1')).toBe(false);
      expect(m.file_set_file.has('m1')).toBe(false);
      expect(m.file.has(sha('a'))).toBe(true);
    },
  },
  {
    name: 'local added a file set under a release the cloud deleted: restored with the new set',
    local: (w) => {
      put(w, 'file_set', { id: 'fsX', release_id: 'r2', type: 'box_art', name: 'box_art', created_at: T1, updated_at: T1 });
    },
    remote: (w) => deleteCascade(w, 'release', 'r2'),
    conflicts: [{ kind: 'parent_deleted', table: 'release', key: 'r2', resolution: 'local', defaultSide: 'local' }],
    check: (m) => {
      expect(m.release.has('r2')).toBe(true);
      expect(m.file_set.has('fsX')).toBe(true);
      expect(m.file_set.has('fs2')).toBe(true);
    },
  },
  {
    name: 'the cloud added a file set under a release local deleted: release, its sets and files come back',
    local: (w) => deleteCascade(w, 'release', 'r2'),
    remote: (w) => {
      put(w, 'file_set', { id: 'fsX', release_id: 'r2', type: 'box_art', name: 'box_art', created_at: T1, updated_at: T1 });
    },
    conflicts: [{ kind: 'parent_deleted', table: 'release', key: 'r2', resolution: 'remote', defaultSide: 'remote' }],
    check: (m) => {
      expect(m.release.has('r2')).toBe(true);
      expect(m.file_set.has('fsX')).toBe(true);
      expect(m.file_set_file.has('m2')).toBe(true);
    },
  },
  {
    name: 'a file set added under a deleted release, overridden to the delete: the new set is dropped too',
    local: (w) => deleteCascade(w, 'release', 'r2'),
    remote: (w) => {
      put(w, 'file_set', { id: 'fsX', release_id: 'r2', type: 'box_art', name: 'box_art' });
      put(w, 'file', { sha1: sha('f'), size: 1, crc32: null, md5: null, type: 'box_art' });
      put(w, 'file_set_file', { id: 'mX', file_set_id: 'fsX', file_sha1: sha('f'), name: 'cover.png', position: 0 });
    },
    opts: (cs) => ({ overrides: { [cs[0]!.id]: 'local' } }),
    conflicts: [{ kind: 'parent_deleted', table: 'release', key: 'r2', resolution: 'local', defaultSide: 'remote' }],
    check: (m) => {
      expect(m.release.has('r2')).toBe(false);
      expect(m.file_set.has('fsX')).toBe(false);
      expect(m.file_set_file.has('mX')).toBe(false);
      expect(m.file.has(sha('f'))).toBe(true);
    },
  },
  {
    name: 'a membership edited in a file set whose release the other side deleted is one conflict on the release',
    local: (w) => setFields(w, 'file_set_file', 'm1', { name: 'ActRaiser (USA) (Rev 1).sfc' }, T1),
    remote: (w) => deleteCascade(w, 'release', 'r1'),
    conflicts: [{ kind: 'parent_deleted', table: 'release', key: 'r1', resolution: 'local' }],
    check: (m) => {
      expect(m.file_set_file.get('m1')!.name).toBe('ActRaiser (USA) (Rev 1).sfc');
      expect(m.file_set_file.has('m1m')).toBe(true);
    },
  },
  {
    name: 'both devices added a different file under one archive name: the later keeps the name, the other is kept beside it (qa-b 5)',
    local: (w) => {
      put(w, 'file_set_file', { id: 'mN', file_set_id: 'fs2', file_sha1: sha('e'), name: 'extra.sfc', position: 1, created_at: T1, updated_at: T1 });
    },
    remote: (w) => {
      put(w, 'file', { sha1: sha('f'), size: 1, crc32: null, md5: null, type: 'rom', created_at: T2, updated_at: T2 });
      put(w, 'file_set_file', { id: 'mN', file_set_id: 'fs2', file_sha1: sha('f'), name: 'extra.sfc', position: 1, created_at: T2, updated_at: T2 });
    },
    conflicts: [{ kind: 'field', table: 'file_set_file', key: 'mN', field: 'file_sha1', resolution: 'remote', defaultSide: 'remote' }],
    check: (m) => {
      expect(m.file_set_file.get('mN')).toMatchObject({ file_sha1: sha('f'), name: 'extra.sfc' });
      const kept = [...m.file_set_file.values()].filter((r) => r.file_set_id === 'fs2' && r.file_sha1 === sha('e'));
      expect(kept).toEqual([expect.objectContaining({ name: 'extra (conflict device-a).sfc' })]);
    },
  },
  {
    name: 'one archive name, two files, choice overridden: the other file keeps the name, and still both stay',
    local: (w) => {
      put(w, 'file_set_file', { id: 'mN', file_set_id: 'fs2', file_sha1: sha('e'), name: 'extra.sfc', position: 1, created_at: T1, updated_at: T1 });
    },
    remote: (w) => {
      put(w, 'file', { sha1: sha('f'), size: 1, crc32: null, md5: null, type: 'rom', created_at: T2, updated_at: T2 });
      put(w, 'file_set_file', { id: 'mN', file_set_id: 'fs2', file_sha1: sha('f'), name: 'extra.sfc', position: 1, created_at: T2, updated_at: T2 });
    },
    opts: (cs) => ({ overrides: { [cs[0]!.id]: 'local' } }),
    conflicts: [{ kind: 'field', table: 'file_set_file', key: 'mN', field: 'file_sha1', resolution: 'local', defaultSide: 'remote' }],
    check: (m) => {
      expect(m.file_set_file.get('mN')).toMatchObject({ file_sha1: sha('e'), name: 'extra.sfc' });
      const kept = [...m.file_set_file.values()].filter((r) => r.file_set_id === 'fs2' && r.file_sha1 === sha('f'));
      expect(kept).toEqual([expect.objectContaining({ name: 'extra (conflict device-b).sfc' })]);
    },
  },
  {
    name: 'both replaced one member with different files: the replaced-later wins the name, the other version stays beside it',
    local: (w) => setFields(w, 'file_set_file', 'm3', { file_sha1: sha('e') }, T2),
    remote: (w) => setFields(w, 'file_set_file', 'm3', { file_sha1: sha('c') }, T1),
    conflicts: [{ kind: 'field', table: 'file_set_file', key: 'm3', field: 'file_sha1', resolution: 'local', defaultSide: 'local' }],
    check: (m) => {
      expect(m.file_set_file.get('m3')).toMatchObject({ file_sha1: sha('e'), name: 'Sonic (World).md' });
      expect([...m.file_set_file.values()].filter((r) => r.file_set_id === 'fs3').map((r) => r.name).sort()).toEqual(['Sonic (World) (conflict device-b).md', 'Sonic (World).md']);
    },
  },
  {
    name: 'a membership added for a file the other side deleted: the file comes back',
    local: (w) => {
      w.file_set_file.delete('m3');
      w.file.delete(sha('d'));
    },
    remote: (w) => {
      put(w, 'file_set_file', { id: 'mY', file_set_id: 'fs2', file_sha1: sha('d'), name: 'extra.sfc', position: 1 });
    },
    conflicts: [{ kind: 'parent_deleted', table: 'file', key: sha('d'), resolution: 'remote' }],
    check: (m) => {
      expect(m.file.has(sha('d'))).toBe(true);
      expect(m.file_set_file.has('mY')).toBe(true);
      expect(m.file_set_file.has('m3')).toBe(true);
    },
  },
  {
    name: 'a membership removed on one side and moved on the other: delete against edit on the membership',
    local: (w) => w.file_set_file.delete('m2'),
    remote: (w) => setFields(w, 'file_set_file', 'm2', { position: 5 }, T1),
    conflicts: [{ kind: 'delete_edit', table: 'file_set_file', key: 'm2', resolution: 'remote' }],
    check: (m) => expect(m.file_set_file.get('m2')!.position).toBe(5),
  },
  {
    name: 'both created the same release under different ids: the later keeps the name, the other is renamed',
    local: (w) => put(w, 'release', { id: 'rL', system_id: 's2', software_title_id: 't2', name: 'Sonic 2 (World)', region: 'World', created_at: T1, updated_at: T1 }),
    remote: (w) => put(w, 'release', { id: 'rR', system_id: 's2', software_title_id: 't2', name: 'Sonic 2 (World)', region: 'World', created_at: T2, updated_at: T2 }),
    conflicts: [{ kind: 'unique', table: 'release', resolution: 'remote', defaultSide: 'remote' }],
    check: (m) => {
      expect(m.release.get('rR')!.name).toBe('Sonic 2 (World)');
      expect(m.release.get('rL')!.name).toBe('Sonic 2 (World) (conflict device-a)');
    },
  },
  {
    name: 'a uniqueness collision overridden: local keeps the name',
    local: (w) => put(w, 'release', { id: 'rL', system_id: 's2', software_title_id: 't2', name: 'Sonic 2 (World)', region: 'World', created_at: T1, updated_at: T1 }),
    remote: (w) => put(w, 'release', { id: 'rR', system_id: 's2', software_title_id: 't2', name: 'Sonic 2 (World)', region: 'World', created_at: T2, updated_at: T2 }),
    opts: (cs) => ({ overrides: { [cs[0]!.id]: 'local' } }),
    conflicts: [{ kind: 'unique', table: 'release', resolution: 'local', defaultSide: 'remote' }],
    check: (m) => {
      expect(m.release.get('rL')!.name).toBe('Sonic 2 (World)');
      expect(m.release.get('rR')!.name).toBe('Sonic 2 (World) (conflict device-b)');
    },
  },
  {
    name: 'two archive names collide in one file set: the loser is renamed before its extension',
    local: (w) => put(w, 'file_set_file', { id: 'mL', file_set_id: 'fs3', file_sha1: sha('e'), name: 'Sonic (World) (Track 2).md', position: 1, updated_at: T2 }),
    remote: (w) => put(w, 'file_set_file', { id: 'mR', file_set_id: 'fs3', file_sha1: sha('c'), name: 'Sonic (World) (Track 2).md', position: 1, updated_at: T1 }),
    conflicts: [{ kind: 'unique', table: 'file_set_file', resolution: 'local' }],
    check: (m) => expect(m.file_set_file.get('mR')!.name).toBe('Sonic (World) (Track 2) (conflict device-b).md'),
  },
  {
    name: 'a release deleted on the cloud and untouched locally is deleted with its whole subtree',
    remote: (w) => deleteCascade(w, 'release', 'r1'),
    check: (m) => {
      expect(m.release.has('r1')).toBe(false);
      expect(m.file_set.has('fs1m')).toBe(false);
      expect(m.file_set_file.has('m1m')).toBe(false);
    },
  },
  {
    name: 'a release deleted on both sides stays deleted without a conflict',
    local: (w) => deleteCascade(w, 'release', 'r3'),
    remote: (w) => deleteCascade(w, 'release', 'r3'),
    check: (m) => expect(m.release.has('r3')).toBe(false),
  },
  {
    name: 'both added one id with the same values: one row, no conflict',
    local: (w) => put(w, 'software_title', { id: 't9', name: 'Pilotwings', created_at: T1, updated_at: T1 }),
    remote: (w) => put(w, 'software_title', { id: 't9', name: 'Pilotwings', created_at: T1, updated_at: T1 }),
    check: (m) => expect(m.software_title.get('t9')!.name).toBe('Pilotwings'),
  },
  {
    name: 'both added one id with different values: a field conflict with no base value',
    local: (w) => put(w, 'release', { id: 'r9', system_id: 's1', software_title_id: null, name: 'Pilotwings (USA)', region: 'USA', created_at: T1, updated_at: T2 }),
    remote: (w) => put(w, 'release', { id: 'r9', system_id: 's1', software_title_id: null, name: 'Pilotwings (USA)', region: 'USA, Canada', created_at: T1, updated_at: T1 }),
    conflicts: [{ kind: 'field', table: 'release', key: 'r9', field: 'region', resolution: 'local' }],
    check: (m) => expect(region(m, 'r9')).toBe('USA'),
  },
  {
    name: 'changes to separate releases on each side are all kept',
    local: (w) => {
      setFields(w, 'release', 'r1', { region: 'Canada' }, T1);
      deleteCascade(w, 'release', 'r3');
    },
    remote: (w) => {
      setFields(w, 'release', 'r2', { region: 'Asia' }, T1);
      put(w, 'file_set', { id: 'fsN', release_id: 'r1', type: 'screenshot', name: 'screenshot' });
    },
    check: (m) => {
      expect(region(m, 'r1')).toBe('Canada');
      expect(region(m, 'r2')).toBe('Asia');
      expect(m.release.has('r3')).toBe(false);
      expect(m.file_set.has('fsN')).toBe(true);
    },
  },
  {
    name: 'cloud status of a blob: the later observation wins, never a conflict',
    local: (w) => setFields(w, 'file_sync_log', sha('a'), { state: 'UploadInProgress', attempts: 1 }, T1),
    remote: (w) => setFields(w, 'file_sync_log', sha('a'), { state: 'UploadCompleted', attempts: 1 }, T2),
    check: (m) => expect(m.file_sync_log.get(sha('a'))!.state).toBe('UploadCompleted'),
  },
  {
    name: 'both added the same content under other types: the completed upload wins whole over a later queued one (QA3 H3)',
    local: (w) => {
      w.file_sync_log.delete(sha('b'));
      put(w, 'file_sync_log', { file_sha1: sha('b'), type: 'manual', state: 'UploadCompleted', attempts: 1, last_error: null, stored_bytes: 22, created_at: T1, updated_at: T1 });
    },
    remote: (w) => {
      w.file_sync_log.delete(sha('b'));
      put(w, 'file_sync_log', { file_sha1: sha('b'), type: 'rom', state: 'UploadPending', attempts: 0, last_error: null, stored_bytes: null, created_at: T2, updated_at: T2 });
    },
    check: (m) => expect(m.file_sync_log.get(sha('b'))).toMatchObject({ type: 'manual', state: 'UploadCompleted', stored_bytes: 22 }),
  },
  {
    name: 'cloud status deleted on one side and updated on the other: the updated row stays',
    local: (w) => w.file_sync_log.delete(sha('a')),
    remote: (w) => setFields(w, 'file_sync_log', sha('a'), { state: 'UploadCompleted' }, T2),
    check: (m) => expect(m.file_sync_log.get(sha('a'))!.state).toBe('UploadCompleted'),
  },
  {
    name: 'only timestamps touched on both sides: no conflict, the later updated_at stays',
    local: (w) => setFields(w, 'system', 's1', {}, T1),
    remote: (w) => setFields(w, 'system', 's1', {}, T2),
    check: (m) => expect(m.system.get('s1')!.updated_at).toBe(T2),
  },
];

describe('planMerge', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const base = sampleWorld();
    const local = cloneWorld(base);
    const remote = cloneWorld(base);
    c.local?.(local);
    c.remote?.(remote);
    const baseOpts: MergeOptions = { ...DEVICES };
    const first = planMerge(toInput(base, local, remote), baseOpts);
    const extra = typeof c.opts === 'function' ? c.opts(first.conflicts) : (c.opts ?? {});
    const opts = { ...baseOpts, ...extra };
    const plan = planMerge(toInput(base, local, remote), opts);
    const got = plan.conflicts.map((x) => ({ kind: x.kind, table: x.table, key: x.key, field: x.field, resolution: x.resolution, defaultSide: x.defaultSide }));
    const want = c.conflicts ?? [];
    expect(got).toHaveLength(want.length);
    for (const w of want) expect(got).toContainEqual(expect.objectContaining(Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined))));
    const merged = applyToWorld(local, plan);
    expect(violations(merged)).toEqual([]);
    c.check(merged, local, remote);
    // Contract: passing only the rows that differ gives the same plan as passing whole tables.
    const partial = planMerge(toChangedInput(base, local, remote), opts);
    expect(partial.ops).toEqual(plan.ops);
    expect(partial.conflicts.map((x) => x.id).sort()).toEqual(plan.conflicts.map((x) => x.id).sort());
  });

  it('gives each conflict a stable id, the same when planned again', () => {
    const base = sampleWorld();
    const local = setFields(cloneWorld(base), 'release', 'r1', { region: 'Canada' }, T1);
    const remote = setFields(cloneWorld(base), 'release', 'r1', { region: 'Europe' }, T2);
    const a = planMerge(toInput(base, local, remote), DEVICES);
    const b = planMerge(toChangedInput(base, local, remote), DEVICES);
    expect(a.conflicts[0]!.id).toMatch(/^[0-9a-f]{10}$/);
    expect(b.conflicts[0]!.id).toBe(a.conflicts[0]!.id);
  });
});

describe('uploadSeenDone: a completed upload against a queued one (file_sync_log)', () => {
  const row = (state: string, type = 'rom') => ({ file_sha1: sha('a'), type, state, updated_at: T1 });
  it.each([
    ['both added: the completed side', undefined, row('UploadCompleted', 'manual'), row('UploadPending'), 'local'],
    ['both added, the other failed: the completed side', undefined, row('UploadFailed'), row('UploadCompleted', 'manual'), 'remote'],
    ['from a queued base: the completed side', row('UploadPending'), row('UploadInProgress'), row('UploadCompleted'), 'remote'],
    ['from a completed base one side found it gone (reupload): no preference, the field merge decides', row('UploadCompleted'), row('UploadCompleted'), row('UploadPending'), undefined],
    ['a deletion against a completed upload: no preference', undefined, row('UploadCompleted'), row('DeletionPending'), undefined],
    ['both completed: no preference', undefined, row('UploadCompleted'), row('UploadCompleted', 'manual'), undefined],
  ] as const)('%s', (_name, b, l, r, want) => {
    expect(uploadSeenDone(b, l, r)).toBe(want);
  });
});
