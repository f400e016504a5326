// The diff report: what `trove diff --json` prints and what the TUI's diff viewer consumes.
// Documented with an example in docs/diff-merge.md; change it only by adding optional fields.
import type { EntityKind } from './catalog-tables.js';

export type ChangeKind = 'added' | 'removed' | 'modified';

export type SqlValue = string | number | null;

export interface FieldChange {
  field: string;
  before: SqlValue;
  after: SqlValue;
  /** For a reference (system_id, release_id, …): the label of the row it pointed at, on each side. */
  beforeLabel?: string | null;
  afterLabel?: string | null;
}

export interface EntityChange {
  entity: EntityKind;
  /** Stable id (the SHA1 for files). */
  id: string;
  change: ChangeKind;
  /** For people, resolved through the side that has the row (the newer side for a modification). */
  label: string;
  /** modified: the fields whose values differ (timestamps excluded). added / removed: empty. */
  fields: FieldChange[];
  /** added: the row on side b; removed: the row on side a; modified: absent. */
  row?: Record<string, SqlValue>;
  /** updated_at on each side (null where the row is missing). */
  updatedAt: { before: string | null; after: string | null };
}

export interface ChangeCounts {
  added: number;
  removed: number;
  modified: number;
}

export interface DiffSideInfo {
  /** What the user typed: "local", a path, later a snapshot or backup id. */
  ref: string;
  /** What it resolved to, for people: "local (/home/…/collection.db)". */
  label: string;
  schemaVersion: number;
  /** True when an older database was compared through a migrated temporary copy. */
  migrated: boolean;
}

export interface DiffReport {
  /** Shape version of this report. */
  format: 1;
  a: DiffSideInfo;
  b: DiffSideInfo;
  /** Counts per entity; an entity with no change still appears with zeros. */
  summary: Record<EntityKind, ChangeCounts>;
  /**
   * file_sync_log (cloud status of blobs) churn, counted apart from the catalogue: uploads change it
   * constantly and it is not something a person edits.
   */
  syncStatus: ChangeCounts;
  /** Entity order (systems, titles, releases, file sets, files, memberships), then label. Absent with --summary. */
  changes?: EntityChange[];
}

export function emptyCounts(): ChangeCounts {
  return { added: 0, removed: 0, modified: 0 };
}

export function totalChanges(summary: Record<EntityKind, ChangeCounts>): number {
  return Object.values(summary).reduce((n, c) => n + c.added + c.removed + c.modified, 0);
}
