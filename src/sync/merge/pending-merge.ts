// The pending merge in state.db: its inputs, its conflicts and the resolution chosen for each, so that
// another process (the CLI later, the TUI's diff viewer) can resolve them one by one before applying.
import type Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { nowIso } from '../../store/ids.js';
import { resolveIdPrefix } from '../diff/closest-ids.js';
import type { Conflict, Side } from './merge-types.js';

export interface PendingConflict {
  id: string;
  kind: Conflict['kind'];
  entity: string;
  key: string;
  field: string | null;
  label: string;
  defaultSide: Side;
  /** Chosen with --resolve / the viewer; null: the default applies. */
  chosenSide: Side | null;
  detail: Conflict;
}

export interface PendingMerge {
  id: string;
  /**
   * Folder holding base.db and remote.db (copies taken when the merge was planned), as stored: relative to
   * the library (older rows: absolute). Resolve it with resolveMergeFolder() (merge-folder.ts).
   */
  dir: string;
  baseLabel: string;
  remoteLabel: string;
  remoteDevice: string;
  status: 'pending' | 'applying';
  createdAt: string;
  updatedAt: string;
  conflicts: PendingConflict[];
}

export function loadPendingMerge(db: Database.Database): PendingMerge | undefined {
  const m = db.prepare('SELECT * FROM pending_merge').get() as Record<string, string> | undefined;
  if (!m) return undefined;
  const rows = db.prepare('SELECT * FROM pending_merge_conflict WHERE merge_id = ? ORDER BY position').all(m.id) as Record<string, string | null>[];
  return {
    id: m.id!,
    dir: m.dir!,
    baseLabel: m.base_label!,
    remoteLabel: m.remote_label!,
    remoteDevice: m.remote_device!,
    status: m.status as PendingMerge['status'],
    createdAt: m.created_at!,
    updatedAt: m.updated_at!,
    conflicts: rows.map((r) => ({
      id: r.conflict_id!,
      kind: r.kind as Conflict['kind'],
      entity: r.entity!,
      key: r.entity_key!,
      field: r.field,
      label: r.label!,
      defaultSide: r.default_side as Side,
      chosenSide: r.chosen_side as Side | null,
      detail: JSON.parse(r.detail!) as Conflict,
    })),
  };
}

export function requirePendingMerge(db: Database.Database): PendingMerge {
  const m = loadPendingMerge(db);
  if (!m) throw new TroveError('NOT_FOUND', 'no merge is pending (start one with `trove merge <base.db> <remote.db>`)');
  return m;
}

export interface NewPendingMerge {
  id: string;
  dir: string;
  baseLabel: string;
  remoteLabel: string;
  remoteDevice: string;
  conflicts: Conflict[];
  /** Resolutions chosen up front (--prefer): conflict id → side. */
  chosen?: Readonly<Record<string, Side>>;
}

export function savePendingMerge(db: Database.Database, m: NewPendingMerge): void {
  const now = nowIso();
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM pending_merge').get()) {
      throw new TroveError('CONFLICT', 'a merge is already pending: finish it with `trove merge --apply` or drop it with `trove merge --discard`');
    }
    db.prepare(
      `INSERT INTO pending_merge (id, dir, base_label, remote_label, remote_device, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ).run(m.id, m.dir, m.baseLabel, m.remoteLabel, m.remoteDevice, now, now);
    const ins = db.prepare(
      `INSERT INTO pending_merge_conflict (merge_id, conflict_id, position, kind, entity, entity_key, field, label, detail, default_side, chosen_side)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    m.conflicts.forEach((c, i) =>
      ins.run(m.id, c.id, i, c.kind, c.table, c.key, c.field ?? null, c.label ?? c.key, JSON.stringify(c), c.defaultSide, m.chosen?.[c.id] ?? null),
    );
  })();
}

/** Record the resolution of one conflict, named by its id or a unique prefix of it. Returns the full id. */
export function chooseResolution(db: Database.Database, ref: string, side: Side): string {
  const m = requirePendingMerge(db);
  const id = resolveIdPrefix(ref, m.conflicts.map((c) => c.id), 'conflict');
  db.prepare('UPDATE pending_merge_conflict SET chosen_side = ? WHERE merge_id = ? AND conflict_id = ?').run(side, m.id, id);
  db.prepare('UPDATE pending_merge SET updated_at = ? WHERE id = ?').run(nowIso(), m.id);
  return id;
}

export function setPendingStatus(db: Database.Database, id: string, status: PendingMerge['status']): void {
  db.prepare('UPDATE pending_merge SET status = ?, updated_at = ? WHERE id = ?').run(status, nowIso(), id);
}

export function deletePendingMerge(db: Database.Database, id: string): void {
  db.prepare('DELETE FROM pending_merge WHERE id = ?').run(id);
}

/** conflict id → chosen side, for the conflicts that have a choice. */
export function chosenOverrides(m: PendingMerge): Record<string, Side> {
  return Object.fromEntries(m.conflicts.filter((c) => c.chosenSide).map((c) => [c.id, c.chosenSide!]));
}
