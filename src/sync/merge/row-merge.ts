// The three-way decision for one row, ignoring the rows around it: take the side that changed, merge
// field by field when both did, or flag a delete against an edit for the cascade pass to settle.
import { createHash } from 'node:crypto';
import type { TableSpec } from '../diff/catalog-tables.js';
import type { Conflict, ConflictKind, Row, Side } from './merge-types.js';
import type { RowAuthor } from './row-authors.js';

export function conflictId(kind: ConflictKind, table: string, key: string, field = ''): string {
  return createHash('sha1').update(`${kind}\u0000${table}\u0000${key}\u0000${field}`).digest('hex').slice(0, 10);
}

export function other(side: Side): Side {
  return side === 'local' ? 'remote' : 'local';
}

/** Same row on both sides (every column, timestamps included); two missing rows are the same. */
export function sameRow(t: TableSpec, a: Row | undefined, b: Row | undefined): boolean {
  if (!a || !b) return !a && !b;
  if (a[t.key] !== b[t.key]) return false;
  for (const c of t.columns) if ((a[c] ?? null) !== (b[c] ?? null)) return false;
  return true;
}

export interface Tiebreak {
  localDevice: string;
  remoteDevice: string;
}

/** The stated default between two versions: the later updated_at wins; the greater device id breaks a tie. */
export function laterSide(l: Row, r: Row, devices: Tiebreak): { side: Side; reason: string } {
  const lu = String(l.updated_at ?? '');
  const ru = String(r.updated_at ?? '');
  if (lu !== ru) return lu > ru ? { side: 'local', reason: `local changed it later (${lu})` } : { side: 'remote', reason: `cloud changed it later (${ru})` };
  const side: Side = devices.localDevice >= devices.remoteDevice ? 'local' : 'remote';
  return { side, reason: `changed at the same time (${lu}); the greater device id (${side === 'local' ? devices.localDevice : devices.remoteDevice}) wins the tie` };
}

export type RowDecision =
  /** No clash: the row (or null for deleted) and where it came from. */
  | { kind: 'take'; row: Row | null; from: 'base' | Side | 'both' }
  /** Both changed the row; fields merged, some maybe in conflict (already resolved in `row`). */
  | { kind: 'fields'; row: Row; conflicts: Conflict[] }
  /** One side deleted what the other changed: settled by the cascade pass. */
  | { kind: 'delete_edit'; deleter: Side; editor: Side; editRow: Row };

export interface RowContext extends Tiebreak {
  choose(id: string, defaultSide: Side): Side;
  /** See MergeOptions.localAuthors. */
  localAuthors?: ReadonlyMap<string, RowAuthor>;
  /** Rows the plan makes on behalf of a device (kept copies, renamed losers): authorKey → device. */
  made?: Map<string, string>;
}

function fieldMerge(t: TableSpec, key: string, b: Row | undefined, l: Row, r: Row, ctx: RowContext): RowDecision {
  const row: Row = { [t.key]: key };
  const conflicts: Conflict[] = [];
  const later = laterSide(l, r, ctx);
  for (const f of t.fields) {
    const lv = l[f] ?? null;
    const rv = r[f] ?? null;
    const bv = b ? (b[f] ?? null) : undefined;
    if (lv === rv) row[f] = lv;
    else if (b && lv === bv) row[f] = rv;
    else if (b && rv === bv) row[f] = lv;
    else {
      const id = conflictId('field', t.name, key, f);
      const resolution = ctx.choose(id, later.side);
      row[f] = resolution === 'local' ? lv : rv;
      conflicts.push({
        id,
        kind: 'field',
        table: t.name,
        key,
        field: f,
        local: lv,
        remote: rv,
        base: bv ?? null,
        defaultSide: later.side,
        defaultReason: later.reason,
        resolution,
        affected: [{ table: t.name, key }],
      });
    }
  }
  const lc = String(l.created_at);
  const rc = String(r.created_at);
  row.created_at = lc <= rc ? l.created_at! : r.created_at!;
  row.updated_at = String(l.updated_at) >= String(r.updated_at) ? l.updated_at! : r.updated_at!;
  return { kind: 'fields', row, conflicts };
}

/** Decide one row of catalogue table `t` from its base, local and remote versions. */
export function decideRow(t: TableSpec, key: string, b: Row | undefined, l: Row | undefined, r: Row | undefined, ctx: RowContext): RowDecision {
  const localChanged = !sameRow(t, b, l);
  const remoteChanged = !sameRow(t, b, r);
  if (!localChanged && !remoteChanged) return { kind: 'take', row: b ?? null, from: 'base' };
  if (!remoteChanged) return { kind: 'take', row: l ?? null, from: 'local' };
  if (!localChanged) return { kind: 'take', row: r ?? null, from: 'remote' };
  if (sameRow(t, l, r)) return { kind: 'take', row: l ?? null, from: 'both' };
  if (l && r) {
    // The cloud status of a blob is an observation, not an edit: fields merge, and where both sides
    // observed something different the latest observation wins silently (no conflict to resolve).
    if (t.name === 'file_sync_log') {
      // Except that an upload one side saw complete beats an upload the other side only queued (or
      // saw fail) since the base: the object is on the remote under the completed row's type, and
      // the queued side's blob need not go up again. Taken whole, so that the row's type stays the
      // key the object was uploaded under (a field merge could pair the queued side's type with
      // UploadCompleted: a key with nothing behind it). docs/diff-merge.md "file_sync_log".
      const done = uploadSeenDone(b, l, r);
      if (done) return { kind: 'take', row: done === 'local' ? l : r, from: done };
      const d = fieldMerge(t, key, b, l, r, { ...ctx, choose: (_id, defaultSide) => defaultSide });
      return { kind: 'take', row: d.kind === 'fields' ? d.row : null, from: 'both' };
    }
    return fieldMerge(t, key, b, l, r, ctx);
  }
  const editor: Side = l ? 'local' : 'remote';
  const editRow = (l ?? r)!;
  if (t.name === 'file_sync_log') return { kind: 'take', row: editRow, from: editor };
  return { kind: 'delete_edit', deleter: other(editor), editor, editRow };
}

const UNFINISHED_UPLOAD = new Set(['UploadPending', 'UploadInProgress', 'UploadFailed']);

/**
 * The side whose file_sync_log row says UploadCompleted when the other's says only that an upload is
 * queued, running or failed, and the base did not say UploadCompleted (a row that went from
 * Completed back to Pending is the "reupload" edge: the object was found gone, and that wins).
 */
export function uploadSeenDone(b: Row | undefined, l: Row, r: Row): Side | undefined {
  if (b && b.state === 'UploadCompleted') return undefined;
  if (l.state === 'UploadCompleted' && UNFINISHED_UPLOAD.has(String(r.state))) return 'local';
  if (r.state === 'UploadCompleted' && UNFINISHED_UPLOAD.has(String(l.state))) return 'remote';
  return undefined;
}
