// Property: for random edit sequences applied to two copies of a base, the merge keeps every change
// that no conflict touches, merge(base, a, base) == a, merge(base, a, a) == a, and the result is a valid
// catalogue (foreign keys and UNIQUE constraints hold).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_TABLES, tableSpec, type TableName } from '../../../src/sync/diff/catalog-tables.js';
import { planMerge } from '../../../src/sync/merge/merge-plan.js';
import { sameRow } from '../../../src/sync/merge/row-merge.js';
import type { MergePlan, Row } from '../../../src/sync/merge/merge-types.js';
import { applyToWorld, cloneWorld, deleteCascade, put, sampleWorld, sha, toChangedInput, toInput, violations, worldEquals, type World } from './world.js';

type Edit =
  | { op: 'region'; i: number; v: string; t: number }
  | { op: 'rename'; i: number; v: string; t: number }
  | { op: 'retitle'; i: number; v: number; t: number }
  | { op: 'delRelease'; i: number }
  | { op: 'addRelease'; sys: number; v: string; id: number; t: number }
  | { op: 'addSet'; i: number; type: string; t: number }
  | { op: 'delSet'; i: number }
  | { op: 'addMember'; i: number; file: number; v: string; t: number }
  | { op: 'delMember'; i: number }
  | { op: 'moveMember'; i: number; v: number; t: number }
  | { op: 'delFile'; i: number }
  | { op: 'sync'; file: number; v: string; t: number };

const NAMES = ['A (USA)', 'A (Europe)', 'B (USA)', 'C (Japan)'];
const REGIONS = ['USA', 'Europe', 'Japan'];
const TIMES = ['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'];
const FILES = ['a', 'b', 'c', 'd', 'e', 'f'];

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('region' as const), i: fc.nat(9), v: fc.constantFrom(...REGIONS), t: fc.nat(2) }),
  fc.record({ op: fc.constant('rename' as const), i: fc.nat(9), v: fc.constantFrom(...NAMES), t: fc.nat(2) }),
  fc.record({ op: fc.constant('retitle' as const), i: fc.nat(9), v: fc.nat(1), t: fc.nat(2) }),
  fc.record({ op: fc.constant('delRelease' as const), i: fc.nat(9) }),
  fc.record({ op: fc.constant('addRelease' as const), sys: fc.nat(1), v: fc.constantFrom(...NAMES), id: fc.nat(3), t: fc.nat(2) }),
  fc.record({ op: fc.constant('addSet' as const), i: fc.nat(9), type: fc.constantFrom('manual', 'box_art'), t: fc.nat(2) }),
  fc.record({ op: fc.constant('delSet' as const), i: fc.nat(9) }),
  fc.record({ op: fc.constant('addMember' as const), i: fc.nat(9), file: fc.nat(5), v: fc.constantFrom('x.bin', 'y.bin'), t: fc.nat(2) }),
  fc.record({ op: fc.constant('delMember' as const), i: fc.nat(9) }),
  fc.record({ op: fc.constant('moveMember' as const), i: fc.nat(9), v: fc.nat(3), t: fc.nat(2) }),
  fc.record({ op: fc.constant('delFile' as const), i: fc.nat(9) }),
  fc.record({ op: fc.constant('sync' as const), file: fc.nat(5), v: fc.constantFrom('UploadPending', 'UploadCompleted'), t: fc.nat(2) }),
);

const nth = (m: Map<string, Row>, i: number): [string, Row] | undefined => {
  const keys = [...m.keys()].sort();
  return keys.length ? [keys[i % keys.length]!, m.get(keys[i % keys.length]!)!] : undefined;
};

function uniqueFree(w: World, table: TableName, key: string, row: Row): boolean {
  const u = tableSpec(table).unique;
  if (!u) return true;
  return ![...w[table]].some(([k, r]) => k !== key && u.every((c) => r[c] === row[c]));
}

/** Apply one edit the way trove would, skipping edits that the schema would refuse. */
function applyEdit(w: World, e: Edit, side: string): void {
  const upd = (table: TableName, key: string, fields: Row, t: number) => {
    const row = { ...w[table].get(key)!, ...fields, updated_at: TIMES[t]! };
    if (uniqueFree(w, table, key, row)) w[table].set(key, row);
  };
  const add = (table: TableName, row: Row) => {
    const key = String(row[tableSpec(table).key]);
    if (!w[table].has(key) && uniqueFree(w, table, key, row)) put(w, table, row);
  };
  switch (e.op) {
    case 'region': {
      const r = nth(w.release, e.i);
      if (r) upd('release', r[0], { region: e.v }, e.t);
      return;
    }
    case 'rename': {
      const r = nth(w.release, e.i);
      if (r) upd('release', r[0], { name: e.v }, e.t);
      return;
    }
    case 'retitle': {
      const r = nth(w.release, e.i);
      if (r && w.software_title.has(`t${e.v + 1}`)) upd('release', r[0], { software_title_id: `t${e.v + 1}` }, e.t);
      return;
    }
    case 'delRelease': {
      const r = nth(w.release, e.i);
      if (r) deleteCascade(w, 'release', r[0]);
      return;
    }
    case 'addRelease': {
      // ids from a natural key on one device, or a per-device id (so uniqueness collisions happen).
      const id = e.id < 2 ? `rel-${e.sys}-${e.v}` : `rel-${side}-${e.id}`;
      if (w.system.has(`s${e.sys + 1}`)) add('release', { id, system_id: `s${e.sys + 1}`, software_title_id: null, name: e.v, region: null, created_at: TIMES[e.t]!, updated_at: TIMES[e.t]! });
      return;
    }
    case 'addSet': {
      const r = nth(w.release, e.i);
      if (r) add('file_set', { id: `fs-${r[0]}-${e.type}`, release_id: r[0], type: e.type, name: e.type, created_at: TIMES[e.t]!, updated_at: TIMES[e.t]! });
      return;
    }
    case 'delSet': {
      const s = nth(w.file_set, e.i);
      if (s) deleteCascade(w, 'file_set', s[0]);
      return;
    }
    case 'addMember': {
      const s = nth(w.file_set, e.i);
      const f = sha(FILES[e.file]!);
      if (!s) return;
      if (!w.file.has(f)) put(w, 'file', { sha1: f, size: 10, crc32: null, md5: null, type: 'rom', created_at: TIMES[e.t]!, updated_at: TIMES[e.t]! });
      add('file_set_file', { id: `m-${s[0]}-${e.v}`, file_set_id: s[0], file_sha1: f, name: e.v, position: 0, created_at: TIMES[e.t]!, updated_at: TIMES[e.t]! });
      return;
    }
    case 'delMember': {
      const m = nth(w.file_set_file, e.i);
      if (m) w.file_set_file.delete(m[0]);
      return;
    }
    case 'moveMember': {
      const m = nth(w.file_set_file, e.i);
      if (m) upd('file_set_file', m[0], { position: e.v }, e.t);
      return;
    }
    case 'delFile': {
      const f = nth(w.file, e.i);
      if (f && ![...w.file_set_file.values()].some((m) => m.file_sha1 === f[0])) w.file.delete(f[0]);
      return;
    }
    case 'sync': {
      const f = sha(FILES[e.file]!);
      const row = { file_sha1: f, type: 'rom', state: e.v, attempts: 0, last_error: null, created_at: TIMES[0]!, updated_at: TIMES[e.t]! };
      w.file_sync_log.set(f, row);
      return;
    }
  }
}

function edited(base: World, edits: Edit[], side: string): World {
  const w = cloneWorld(base);
  for (const e of edits) applyEdit(w, e, side);
  return w;
}

function touched(plan: MergePlan): Set<string> {
  return new Set(plan.conflicts.flatMap((c) => c.affected.map((a) => `${a.table}/${a.key}`)));
}

const devices = { localDevice: 'device-a', remoteDevice: 'device-b' };
const edits = fc.array(edit, { maxLength: 12 });

describe('merge properties', () => {
  it('every edit sequence is a valid catalogue (the model is sound)', () => {
    fc.assert(
      fc.property(edits, (es) => {
        expect(violations(edited(sampleWorld(), es, 'l'))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('merge(base, a, base) == a and merge(base, a, a) == a, with no conflict', () => {
    fc.assert(
      fc.property(edits, (es) => {
        const base = sampleWorld();
        const a = edited(base, es, 'l');
        for (const remote of [base, a]) {
          const plan = planMerge(toInput(base, a, remote), devices);
          expect(plan.conflicts).toEqual([]);
          expect(Object.keys(plan.ops)).toEqual([]);
          expect(worldEquals(applyToWorld(a, plan), a)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('merge(base, a, b) keeps every change no conflict touches and is a valid catalogue', () => {
    fc.assert(
      fc.property(edits, edits, fc.constantFrom<'local' | 'remote' | undefined>(undefined, 'local', 'remote'), (ea, eb, prefer) => {
        const base = sampleWorld();
        const a = edited(base, ea, 'l');
        const b = edited(base, eb, 'r');
        const plan = planMerge(toInput(base, a, b), { ...devices, prefer });
        const merged = applyToWorld(a, plan);
        expect(violations(merged)).toEqual([]);
        const inConflict = touched(plan);
        const fieldConflicts = new Set(plan.conflicts.filter((c) => c.kind === 'field').map((c) => `${c.table}/${c.key}/${c.field}`));
        for (const t of ALL_TABLES) {
          for (const key of new Set([...base[t.name].keys(), ...a[t.name].keys(), ...b[t.name].keys()])) {
            const [o, x, y, m] = [base, a, b, merged].map((w) => w[t.name].get(key));
            const aChanged = !sameRow(t, o, x);
            const bChanged = !sameRow(t, o, y);
            if (inConflict.has(`${t.name}/${key}`)) continue;
            if (aChanged && !bChanged) expect(m, `${t.name} ${key} from local`).toEqual(x);
            if (bChanged && !aChanged) expect(m, `${t.name} ${key} from cloud`).toEqual(y);
            if (aChanged && bChanged && x && y && o && m) {
              for (const f of t.fields) {
                if (fieldConflicts.has(`${t.name}/${key}/${f}`)) continue;
                if (x[f] !== o[f] && y[f] === o[f]) expect(m[f], `${t.name} ${key}.${f} from local`).toBe(x[f]);
                if (y[f] !== o[f] && x[f] === o[f]) expect(m[f], `${t.name} ${key}.${f} from cloud`).toBe(y[f]);
              }
            }
          }
        }
        if (prefer) for (const c of plan.conflicts) expect(c.resolution).toBe(prefer);
        // Same plan from only the rows that differ (what the SQL shell passes), unless a collision
        // involves a row unchanged everywhere (the shell adds those rows itself, see merge-inputs.ts).
        const partial = planMerge(toChangedInput(base, a, b), { ...devices, prefer });
        const hidden = plan.conflicts.some((c) => c.kind === 'unique' && c.affected.some((r) => sameRow(tableSpec(r.table), base[r.table].get(r.key), a[r.table].get(r.key)) && sameRow(tableSpec(r.table), base[r.table].get(r.key), b[r.table].get(r.key))));
        if (!hidden) expect(partial.ops).toEqual(plan.ops);
      }),
      { numRuns: 500 },
    );
  });
});
