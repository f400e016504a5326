// Plain data of the three-way merge: the row sets it reads, the conflicts it finds, the plan it makes.
import type { TableName } from '../diff/catalog-tables.js';
import type { SqlValue } from '../diff/diff-report.js';
import type { RowAuthor } from './row-authors.js';

export type Row = Record<string, SqlValue>;
export type RowMap = ReadonlyMap<string, Row>;

/** Which version wins a conflict. The CLI says `cloud` for `remote`. */
export type Side = 'local' | 'remote';

export interface TableRows {
  base: RowMap;
  local: RowMap;
  remote: RowMap;
}

/**
 * Rows per table, keyed by stable id. Contract: every key whose row differs between base and either
 * side must be present in the maps where it exists; a key absent from all three maps is taken to be
 * unchanged everywhere (so callers may pass only the rows that differ, or whole tables).
 */
export type MergeInput = Partial<Record<TableName, TableRows>>;

export interface MergeOptions {
  /** Device ids: the greater one wins a tie of updated_at. */
  localDevice: string;
  remoteDevice: string;
  /** conflict id → chosen side; conflicts not named take their default. */
  overrides?: Readonly<Record<string, Side>>;
  /** Every conflict to this side (`--prefer`); per-conflict overrides still win. */
  prefer?: Side;
  /**
   * Who made local rows that came from elsewhere (earlier heads of a merge of several: row-authors.ts),
   * so a copy kept for a losing local version is named after its device; others are localDevice's.
   */
  localAuthors?: ReadonlyMap<string, RowAuthor>;
}

export type ConflictKind =
  /** Both sides changed one field to different values (or both added one id with different values). */
  | 'field'
  /** One side deleted a row the other side modified (and maybe changed rows beneath it). */
  | 'delete_edit'
  /** One side deleted a row; the other added or changed rows beneath it (a file set under a deleted release). */
  | 'parent_deleted'
  /** Two different rows ended up with the same natural key (same system and release name). */
  | 'unique';

export interface RowRef {
  table: TableName;
  key: string;
}

export interface Conflict {
  /** Stable short id (hash of kind, table, key and field): the same conflict gets the same id on re-planning. */
  id: string;
  kind: ConflictKind;
  table: TableName;
  /** The row in conflict (for `unique`: the natural key values joined by ' / '). */
  key: string;
  field?: string;
  /** Each side's value (field), row (delete_edit, parent_deleted: null on the deleting side) or row ids (unique). */
  local: SqlValue | Row | null;
  remote: SqlValue | Row | null;
  base: SqlValue | Row | null;
  defaultSide: Side;
  /** Why the default is what it is, for people. */
  defaultReason: string;
  resolution: Side;
  /** A membership's `file_sha1`: the name the losing file is kept under, with this resolution (member-clashes.ts). */
  keptAs?: string;
  /** Every row whose outcome depends on this conflict. */
  affected: RowRef[];
  /** Filled by the I/O shell: "System › Release", resolved through the side that has the row. */
  label?: string;
}

export interface RowOp {
  op: 'insert' | 'update' | 'delete';
  key: string;
  /** The merged row (insert, update). */
  row?: Row;
}

export interface MergePlan {
  /** Operations that turn local into the merged database, per table. */
  ops: Partial<Record<TableName, RowOp[]>>;
  /** The merged outcome of every key the input named: a row, or null for deleted. */
  merged: Partial<Record<TableName, Map<string, Row | null>>>;
  conflicts: Conflict[];
  counts: { fromLocal: number; fromRemote: number; fieldMerged: number; unchanged: number };
  /** Who made each named row (tables with a nameField) that the plan inserts or changes: row-authors.ts. */
  authors?: Map<string, RowAuthor>;
}
