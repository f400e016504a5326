// Deletes against edits, through the foreign keys. When one side deleted a row and the other side changed
// that row or anything beneath it (a file set under the release, a membership of the file), the clash is
// one conflict on the topmost deleted row. Default: the edit beats the delete, so the deleted row comes
// back with its whole subtree as the editing side has it; choosing the deleting side drops the subtree,
// edits included. Overlaps: a row dropped by any conflict stays dropped.
import type { TableName, TableSpec } from '../diff/catalog-tables.js';
import { conflictId, other, sameRow, type RowContext } from './row-merge.js';
import type { Conflict, Row, RowMap, RowRef, Side } from './merge-types.js';

export interface TableState {
  spec: TableSpec;
  base: RowMap;
  local: RowMap;
  remote: RowMap;
  /** Keys named by any of the three maps; others are unchanged everywhere. */
  involved: Set<string>;
  /** The merged row per involved key (null: deleted). */
  outcome: Map<string, Row | null>;
}

export type MergeState = Map<TableName, TableState>;

const refKey = (r: RowRef) => `${r.table}\u0000${r.key}`;

function rowsOf(s: TableState, side: Side): RowMap {
  return side === 'local' ? s.local : s.remote;
}

/** Deleted by `deleter` alone: in base, gone on the deleter, still there on the other side. */
function deletedBy(state: MergeState, table: TableName, key: string, deleter: Side): boolean {
  const s = state.get(table);
  if (!s || !s.involved.has(key)) return false;
  return s.base.has(key) && !rowsOf(s, deleter).has(key) && rowsOf(s, other(deleter)).has(key);
}

/** Topmost rows deleted by `deleter` on each foreign-key path up from `ref`, as the editor has the rows. */
function topDeleted(state: MergeState, ref: RowRef, editor: Side, deleter: Side, seen = new Set<string>()): RowRef[] {
  const k = refKey(ref);
  if (seen.has(k)) return [];
  seen.add(k);
  const s = state.get(ref.table);
  if (!s || !s.involved.has(ref.key)) return []; // unchanged everywhere, so its ancestors are too
  const row = rowsOf(s, editor).get(ref.key);
  if (!row) return [];
  const found: RowRef[] = [];
  for (const p of s.spec.parents) {
    const pk = row[p.field];
    if (pk === null || pk === undefined) continue;
    found.push(...topDeleted(state, { table: p.table, key: String(pk) }, editor, deleter, seen));
  }
  if (!found.length && deletedBy(state, ref.table, ref.key, deleter)) found.push(ref);
  return found;
}

/** parent (table, key) → child rows, over one side's rows. */
function childIndex(state: MergeState, side: Side): Map<string, RowRef[]> {
  const idx = new Map<string, RowRef[]>();
  for (const s of state.values()) {
    for (const [key, row] of rowsOf(s, side)) {
      for (const p of s.spec.parents) {
        const pk = row[p.field];
        if (pk === null || pk === undefined) continue;
        const k = refKey({ table: p.table, key: String(pk) });
        let list = idx.get(k);
        if (!list) idx.set(k, (list = []));
        list.push({ table: s.spec.name, key });
      }
    }
  }
  return idx;
}

function subtree(root: RowRef, idx: Map<string, RowRef[]>): RowRef[] {
  const out: RowRef[] = [];
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const r = stack.pop()!;
    const k = refKey(r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
    stack.push(...(idx.get(k) ?? []));
  }
  return out;
}

interface Group {
  top: RowRef;
  editor: Side;
  edits: RowRef[];
}

/** Find every delete-against-edit clash, decide it, and write the outcome of the rows it covers. */
export function settleDeleteConflicts(state: MergeState, order: readonly TableName[], ctx: RowContext): Conflict[] {
  const groups = new Map<string, Group>();
  for (const table of order) {
    const s = state.get(table);
    if (!s || s.spec.name === 'file_sync_log') continue;
    for (const key of s.involved) {
      for (const editor of ['local', 'remote'] as const) {
        const row = rowsOf(s, editor).get(key);
        if (!row || sameRow(s.spec, s.base.get(key), row)) continue;
        for (const top of topDeleted(state, { table, key }, editor, other(editor))) {
          const gk = `${editor}\u0000${refKey(top)}`;
          let g = groups.get(gk);
          if (!g) groups.set(gk, (g = { top, editor, edits: [] }));
          g.edits.push({ table, key });
        }
      }
    }
  }
  const index = { local: childIndex(state, 'local'), remote: childIndex(state, 'remote') };
  const conflicts: Conflict[] = [];
  const drops: RowRef[] = [];
  for (const g of groups.values()) {
    const deleter = other(g.editor);
    const s = state.get(g.top.table)!;
    const selfEdited = g.edits.some((e) => e.table === g.top.table && e.key === g.top.key);
    const kind = selfEdited ? 'delete_edit' : 'parent_deleted';
    const id = conflictId(kind, g.top.table, g.top.key);
    const resolution = ctx.choose(id, g.editor);
    const affected = subtree(g.top, index[g.editor]);
    const nouns = g.edits.length === 1 ? '1 row' : `${g.edits.length} rows`;
    conflicts.push({
      id,
      kind,
      table: g.top.table,
      key: g.top.key,
      local: s.local.get(g.top.key) ?? null,
      remote: s.remote.get(g.top.key) ?? null,
      base: s.base.get(g.top.key) ?? null,
      defaultSide: g.editor,
      defaultReason: `an edit beats a delete (${g.editor === 'local' ? 'local' : 'cloud'} changed ${nouns}${selfEdited ? '' : ' beneath it'})`,
      resolution,
      affected,
    });
    if (resolution === g.editor) {
      // Undo the delete: the row and everything the editor still has beneath it, as the editor has it.
      for (const r of affected) {
        const rs = state.get(r.table);
        if (rs && deletedBy(state, r.table, r.key, deleter)) rs.outcome.set(r.key, rowsOf(rs, g.editor).get(r.key)!);
      }
    } else drops.push(...affected);
  }
  for (const r of drops) state.get(r.table)?.outcome.set(r.key, null);
  dropOrphans(state, order);
  return conflicts;
}

/**
 * A restored row can have a second parent that stays deleted (a membership brought back with its file
 * while its file set was deleted on purpose): such rows stay deleted. Parents first, so one pass
 * settles whole chains. Only rows some conflict covers can be orphaned here (see docs/diff-merge.md).
 */
function dropOrphans(state: MergeState, order: readonly TableName[]): void {
  const present = (table: TableName, key: string) => {
    const s = state.get(table);
    return !s || !s.involved.has(key) || !!s.outcome.get(key);
  };
  for (const table of order) {
    const s = state.get(table)!;
    if (!s.spec.parents.length) continue;
    for (const [key, row] of s.outcome) {
      if (!row) continue;
      for (const p of s.spec.parents) {
        const pk = row[p.field];
        if (pk !== null && pk !== undefined && !present(p.table, String(pk))) {
          s.outcome.set(key, null);
          break;
        }
      }
    }
  }
}
