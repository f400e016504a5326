// Uniqueness collisions: two different rows whose merged versions share a natural key (both devices
// created "ActRaiser (USA)" on one system under different ids, or renamed two releases to one name).
// Nothing is dropped: the winner keeps the name and the loser is renamed "<name> (conflict <device>)",
// as Syncthing and Dropbox keep conflicting copies. Default winner: the later updated_at, then device id.
import type { TableName } from '../diff/catalog-tables.js';
import { freeConflictName } from './conflict-names.js';
import type { MergeState, TableState } from './delete-conflicts.js';
import { authorKey, authorOf } from './row-authors.js';
import { conflictId, laterSide, sameRow, type RowContext } from './row-merge.js';
import type { Conflict, Row, Side } from './merge-types.js';

export { conflictName } from './conflict-names.js';

function tupleOf(s: TableState, row: Row): string {
  return JSON.stringify(s.spec.unique!.map((c) => row[c] ?? null));
}

/** Which side brought this natural key to the row: the side whose changed version carries it. */
function originOf(s: TableState, key: string, tuple: string): Side | undefined {
  const base = s.base.get(key);
  for (const side of ['local', 'remote'] as const) {
    const row = (side === 'local' ? s.local : s.remote).get(key);
    if (row && !sameRow(s.spec, base, row) && tupleOf(s, row) === tuple && (!base || tupleOf(s, base) !== tuple)) return side;
  }
  return undefined;
}

export function settleUniqueConflicts(state: MergeState, order: readonly TableName[], ctx: RowContext): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const table of order) {
    const s = state.get(table);
    if (!s?.spec.unique || !s.spec.nameField) continue;
    const byTuple = new Map<string, string[]>();
    for (const [key, row] of s.outcome) {
      if (!row) continue;
      const t = tupleOf(s, row);
      const list = byTuple.get(t);
      if (list) list.push(key);
      else byTuple.set(t, [key]);
    }
    const taken = new Set(byTuple.keys());
    for (const [tuple, keys] of [...byTuple]) {
      if (keys.length < 2) continue;
      keys.sort();
      const origins = keys.map((k) => originOf(s, k, tuple));
      const localKey = keys[origins.indexOf('local')] ?? keys[0]!;
      const remoteKey = keys.find((k, i) => origins[i] === 'remote' && k !== localKey) ?? keys.find((k) => k !== localKey)!;
      const later = laterSide(s.outcome.get(localKey)!, s.outcome.get(remoteKey)!, ctx);
      const label = (JSON.parse(tuple) as unknown[]).map(String).join(' / ');
      const id = conflictId('unique', table, tuple);
      const resolution = ctx.choose(id, later.side);
      const winner = resolution === 'local' ? localKey : remoteKey;
      conflicts.push({
        id,
        kind: 'unique',
        table,
        key: label,
        field: s.spec.nameField,
        local: localKey,
        remote: remoteKey,
        base: null,
        defaultSide: later.side,
        defaultReason: `both named it so; ${later.reason} and keeps the name, the other is renamed`,
        resolution,
        affected: keys.map((key) => ({ table, key })),
      });
      for (const k of keys) {
        if (k === winner) continue;
        const row = s.outcome.get(k)!;
        const side: Side = k === localKey ? 'local' : 'remote';
        const sideRow = (side === 'local' ? s.local : s.remote).get(k);
        const device = (sideRow ? authorOf(ctx, s.spec, side, k, sideRow) : side === 'local' ? ctx.localDevice : ctx.remoteDevice) || k;
        // A name no row of the merged table has (a second loss on one name is numbered: conflict-names.ts).
        const field = s.spec.nameField;
        const { name } = freeConflictName(String(row[field]), device, table === 'file_set_file', (candidate) =>
          taken.has(tupleOf(s, { ...row, [field]: candidate })) ? 'taken' : 'free',
        );
        const renamed = { ...row, [field]: name };
        s.outcome.set(k, renamed);
        taken.add(tupleOf(s, renamed));
        ctx.made?.set(authorKey(table, k), device);
      }
    }
  }
  return conflicts;
}
