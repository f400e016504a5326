// Which device made the version of a row that a merge step has on its sides. The remote side is the
// head's device. The local side is this device's own version, except when a merge of several heads
// goes through them one at a time: after the first step, local holds rows that came from earlier heads
// (and copies kept for their losers). A copy kept for a losing version is named after the device that
// made it, so the caller passes what the earlier steps recorded (`localAuthors`), and each plan says
// who made the rows it changes (`MergePlan.authors`).
import type { TableSpec } from '../diff/catalog-tables.js';
import type { Row, Side } from './merge-types.js';

export interface RowAuthor {
  /** The row's fields when the author was recorded: a later edit makes the record stale. */
  fields: string;
  device: string;
}

/** Authors by `authorKey(table, key)`. */
export type RowAuthors = Map<string, RowAuthor>;

export function authorKey(table: string, key: string): string {
  return `${table}\u0000${key}`;
}

export function fieldsOf(spec: TableSpec, row: Row): string {
  return JSON.stringify(spec.fields.map((f) => row[f] ?? null));
}

export interface AuthorContext {
  localDevice: string;
  remoteDevice: string;
  localAuthors?: ReadonlyMap<string, RowAuthor>;
}

/** The device that made `row` (as the side `side` has it). */
export function authorOf(ctx: AuthorContext, spec: TableSpec, side: Side, key: string, row: Row): string {
  if (side === 'remote') return ctx.remoteDevice;
  const recorded = ctx.localAuthors?.get(authorKey(spec.name, key));
  return recorded && recorded.fields === fieldsOf(spec, row) ? recorded.device : ctx.localDevice;
}
