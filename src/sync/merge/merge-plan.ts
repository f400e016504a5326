// The three-way merge plan: a pure function of the base, local and remote rows of every table.
// 1. each row on its own (row-merge.ts): one side changed → take it; both → merge field by field;
// 2. deletes against edits through the foreign keys (delete-conflicts.ts);
// 3. one archive name given two different files: both kept (member-clashes.ts);
// 4. uniqueness collisions among the merged rows (unique-conflicts.ts);
// 5. the operations that turn local into the merged result.
import { ALL_TABLES, type TableName } from '../diff/catalog-tables.js';
import { settleDeleteConflicts, type MergeState, type TableState } from './delete-conflicts.js';
import { decideRow, sameRow, type RowContext } from './row-merge.js';
import { keepBothMembers } from './member-clashes.js';
import { settleUniqueConflicts } from './unique-conflicts.js';
import { authorKey, authorOf, fieldsOf } from './row-authors.js';
import type { Conflict, MergeInput, MergeOptions, MergePlan, Row, RowMap, RowOp, Side } from './merge-types.js';

const EMPTY: RowMap = new Map();
const ORDER: readonly TableName[] = ALL_TABLES.map((t) => t.name);

export function planMerge(input: MergeInput, opts: MergeOptions): MergePlan {
  const ctx: RowContext = {
    localDevice: opts.localDevice,
    remoteDevice: opts.remoteDevice,
    choose: (id: string, defaultSide: Side) => opts.overrides?.[id] ?? opts.prefer ?? defaultSide,
    localAuthors: opts.localAuthors,
    made: new Map(),
  };
  const state: MergeState = new Map();
  const conflicts: Conflict[] = [];
  const counts = { fromLocal: 0, fromRemote: 0, fieldMerged: 0, unchanged: 0 };
  for (const spec of ALL_TABLES) {
    const rows = input[spec.name];
    const s: TableState = {
      spec,
      base: rows?.base ?? EMPTY,
      local: rows?.local ?? EMPTY,
      remote: rows?.remote ?? EMPTY,
      involved: new Set([...(rows?.base.keys() ?? []), ...(rows?.local.keys() ?? []), ...(rows?.remote.keys() ?? [])]),
      outcome: new Map(),
    };
    state.set(spec.name, s);
    for (const key of [...s.involved].sort()) {
      const d = decideRow(spec, key, s.base.get(key), s.local.get(key), s.remote.get(key), ctx);
      if (d.kind === 'take') {
        s.outcome.set(key, d.row);
        if (d.from === 'local') counts.fromLocal++;
        else if (d.from === 'remote') counts.fromRemote++;
        else counts.unchanged++;
      } else if (d.kind === 'fields') {
        s.outcome.set(key, d.row);
        counts.fieldMerged++;
        conflicts.push(...d.conflicts);
      } else {
        // Provisionally deleted; the cascade pass restores it when the edit wins.
        s.outcome.set(key, null);
      }
    }
  }
  conflicts.push(...settleDeleteConflicts(state, ORDER, ctx));
  keepBothMembers(state, conflicts, ctx);
  conflicts.push(...settleUniqueConflicts(state, ORDER, ctx));

  const ops: MergePlan['ops'] = {};
  const merged: MergePlan['merged'] = {};
  const authors: MergePlan['authors'] = new Map();
  for (const [name, s] of state) {
    merged[name] = s.outcome;
    const list: RowOp[] = [];
    for (const [key, row] of s.outcome) {
      const local = s.local.get(key);
      if (!row) {
        if (local) list.push({ op: 'delete', key });
        continue;
      } else if (!local) list.push({ op: 'insert', key, row });
      else if (!sameRow(s.spec, local, row)) list.push({ op: 'update', key, row });
      else continue;
      if (s.spec.nameField) authors.set(authorKey(name, key), { fields: fieldsOf(s.spec, row), device: madeBy(s, key, row, ctx) });
    }
    if (list.length) ops[name] = list;
  }
  return { ops, merged, conflicts, counts, authors };
}

/** Who made a row the plan inserts or changes: the device it kept or renamed it for, else the side it equals. */
function madeBy(s: TableState, key: string, row: Row, ctx: RowContext): string {
  const made = ctx.made?.get(authorKey(s.spec.name, key));
  if (made) return made;
  const fields = fieldsOf(s.spec, row);
  const remote = s.remote.get(key);
  if (remote && fieldsOf(s.spec, remote) === fields) return ctx.remoteDevice;
  const local = s.local.get(key);
  if (local && fieldsOf(s.spec, local) === fields) return authorOf(ctx, s.spec, 'local', key, local);
  return ctx.remoteDevice;
}

/** The merged row of `key` (undefined when the input did not name it: unchanged everywhere). */
export function mergedRow(plan: MergePlan, table: TableName, key: string): Row | null | undefined {
  return plan.merged[table]?.get(key);
}
