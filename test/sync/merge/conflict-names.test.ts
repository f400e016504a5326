// Names of the copies a merge keeps for losing versions: numbered when the name is taken, named after
// the device that made the losing version (also when it reached local through an earlier head of a
// merge of several), reused only when the copy of that name holds the same content.
import { describe, expect, it } from 'vitest';
import { nameId } from '../../../src/store/ids.js';
import { conflictName, freeConflictName } from '../../../src/sync/merge/conflict-names.js';
import { planMerge } from '../../../src/sync/merge/merge-plan.js';
import type { MergeInput, MergeOptions, Row } from '../../../src/sync/merge/merge-types.js';
import { authorKey, fieldsOf } from '../../../src/sync/merge/row-authors.js';
import { tableSpec } from '../../../src/sync/diff/catalog-tables.js';
import { conflictLine } from '../../../src/cli/commands/merge.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-02-01T00:00:00.000Z';
const T2 = '2026-03-01T00:00:00.000Z';
// deviceTag is the last 8 characters.
const OPTS: MergeOptions = { localDevice: 'aaaa-device-a', remoteDevice: 'bbbb-device-b' };
const SET = 'fs1';
const sha = (c: string) => c.repeat(40);

function member(name: string, sha1: string, updatedAt = T0): Row {
  return { id: nameId('file_set_file', SET, name), file_set_id: SET, file_sha1: sha1, name, position: 0, created_at: T0, updated_at: updatedAt };
}
const byId = (...rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));

/** The merged members of SET as name → sha1. */
function mergedMembers(plan: ReturnType<typeof planMerge>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of plan.merged.file_set_file?.values() ?? []) if (row && row.file_set_id === SET) out[String(row.name)] = String(row.file_sha1);
  return out;
}

describe('conflictName / freeConflictName', () => {
  it('numbers the second and later copies, before the extension', () => {
    expect(conflictName('x.bin', 'aaaa-device-a', true)).toBe('x (conflict device-a).bin');
    expect(conflictName('x.bin', 'aaaa-device-a', true, 2)).toBe('x (conflict device-a 2).bin');
    expect(conflictName('Game (USA)', 'aaaa-device-a', false, 3)).toBe('Game (USA) (conflict device-a 3)');
  });
  it('takes the first name that is free, or the one that already holds this version', () => {
    const taken = new Set(['x (conflict device-a).bin', 'x (conflict device-a 2).bin']);
    expect(freeConflictName('x.bin', 'aaaa-device-a', true, (n) => (taken.has(n) ? 'taken' : 'free'))).toEqual({ name: 'x (conflict device-a 3).bin', existing: false });
    expect(freeConflictName('x.bin', 'aaaa-device-a', true, (n) => (n.endsWith(' 2).bin') ? 'same' : taken.has(n) ? 'taken' : 'free'))).toEqual({
      name: 'x (conflict device-a 2).bin',
      existing: true,
    });
  });
});

describe('a copy kept for a losing file (member clash)', () => {
  const base = member('x.bin', sha('0'));
  const oldCopy = member('x (conflict device-a).bin', sha('3')); // an earlier merge's copy, unchanged everywhere

  it('the same device losing a second clash on one name gets a numbered copy, not the name of its first', () => {
    const input: MergeInput = {
      file_set_file: {
        base: byId(base, oldCopy),
        local: byId(member('x.bin', sha('4'), T1), oldCopy),
        remote: byId(member('x.bin', sha('1'), T2), oldCopy),
      },
    };
    const plan = planMerge(input, OPTS);
    expect(mergedMembers(plan)).toEqual({ 'x.bin': sha('1'), 'x (conflict device-a).bin': sha('3'), 'x (conflict device-a 2).bin': sha('4') });
    expect(plan.conflicts[0]!.defaultReason).toContain('the other file is kept as "x (conflict device-a 2).bin"');
    const inserted = plan.ops.file_set_file!.filter((o) => o.op === 'insert').map((o) => o.row!.name);
    expect(inserted).toEqual(['x (conflict device-a 2).bin']);
  });

  it('a copy of that name holding the same content is reused (nothing added), and the line still says where it is', () => {
    const input: MergeInput = {
      file_set_file: {
        base: byId(base, oldCopy),
        local: byId(member('x.bin', sha('3'), T1), oldCopy),
        remote: byId(member('x.bin', sha('1'), T2), oldCopy),
      },
    };
    const plan = planMerge(input, OPTS);
    expect(mergedMembers(plan)).toEqual({ 'x.bin': sha('1'), 'x (conflict device-a).bin': sha('3') });
    expect(plan.conflicts[0]!.defaultReason).toContain('the other file is kept as "x (conflict device-a).bin"');
    expect(plan.ops.file_set_file!.filter((o) => o.op === 'insert')).toEqual([]);
  });

  it('with --prefer the printed line still says where the losing file is kept (under the preferred resolution)', () => {
    const input: MergeInput = {
      file_set_file: { base: byId(base), local: byId(member('x.bin', sha('4'), T1)), remote: byId(member('x.bin', sha('1'), T2)) },
    };
    const c = planMerge(input, { ...OPTS, prefer: 'local' }).conflicts[0]!;
    expect(c.resolution).toBe('local');
    expect(c.defaultReason).not.toContain('kept as'); // the default (cloud) would keep another file
    expect(conflictLine(c, undefined)).toContain('(preferred; the other file is kept as "x (conflict device-b).bin")');
  });

  it('in a merge of several heads, a local loser that came from an earlier head is named after that head’s device', () => {
    // Step 1 (A merged B): B's version won x.bin, A's was kept as "x (conflict device-a).bin".
    const fromB = member('x.bin', sha('b'), T1);
    const spec = tableSpec('file_set_file');
    const localAuthors = new Map([[authorKey('file_set_file', String(fromB.id)), { fields: fieldsOf(spec, fromB), device: 'bbbb-device-b' }]]);
    const input: MergeInput = {
      file_set_file: { base: new Map(), local: byId(fromB, member('x (conflict device-a).bin', sha('a'))), remote: byId(member('x.bin', sha('c'), T2)) },
    };
    // Step 2: C's version wins; B's goes to its own copy, A's stays.
    const plan = planMerge(input, { ...OPTS, remoteDevice: 'cccc-device-c', localAuthors });
    expect(mergedMembers(plan)).toEqual({ 'x.bin': sha('c'), 'x (conflict device-a).bin': sha('a'), 'x (conflict device-b).bin': sha('b') });
    expect(plan.conflicts[0]!.defaultReason).toContain('the other file is kept as "x (conflict device-b).bin"');
    // And the plan records who made what it brings, for the next step.
    const copyId = nameId('file_set_file', SET, 'x (conflict device-b).bin');
    expect(plan.authors!.get(authorKey('file_set_file', copyId))?.device).toBe('bbbb-device-b');
    expect(plan.authors!.get(authorKey('file_set_file', String(fromB.id)))?.device).toBe('cccc-device-c');
  });
});

describe('two releases with one name (unique conflict)', () => {
  const rel = (id: string, name: string, updatedAt = T0): Row => ({ id, system_id: 's1', software_title_id: null, name, region: null, created_at: T0, updated_at: updatedAt });

  it('a second loss on one name is numbered instead of colliding with the first renamed release', () => {
    const old = rel('r-old', 'X (USA) (conflict device-a)'); // renamed by an earlier merge, unchanged everywhere
    const input: MergeInput = {
      release: { base: byId(old), local: byId(old, rel('r-local', 'X (USA)', T1)), remote: byId(old, rel('r-remote', 'X (USA)', T2)) },
    };
    const plan = planMerge(input, OPTS);
    const names = [...plan.merged.release!.values()].map((r) => r!.name).sort();
    expect(names).toEqual(['X (USA)', 'X (USA) (conflict device-a 2)', 'X (USA) (conflict device-a)']);
    expect(plan.merged.release!.get('r-local')!.name).toBe('X (USA) (conflict device-a 2)');
  });

  it('a local loser that came from an earlier head is renamed after that head’s device', () => {
    const fromB = rel('r-b', 'X (USA)', T1);
    const localAuthors = new Map([[authorKey('release', 'r-b'), { fields: fieldsOf(tableSpec('release'), fromB), device: 'bbbb-device-b' }]]);
    const input: MergeInput = {
      release: { base: new Map(), local: byId(fromB, rel('r-a', 'X (USA) (conflict device-a)')), remote: byId(rel('r-c', 'X (USA)', T2)) },
    };
    const plan = planMerge(input, { ...OPTS, remoteDevice: 'cccc-device-c', localAuthors });
    expect(plan.merged.release!.get('r-b')!.name).toBe('X (USA) (conflict device-b)');
    expect(plan.merged.release!.get('r-c')!.name).toBe('X (USA)');
  });
});
