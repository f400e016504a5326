// The diff viewer's rows: entity changes grouped by entity kind, each expandable to its fields.
import type { DiffReport, MergeClash, PendingMerge } from '../services.js';

export type DiffRow =
  | { kind: 'group'; entity: string; count: number }
  | { kind: 'change'; index: number; change: 'added' | 'removed' | 'modified'; label: string; fields: number; expanded: boolean }
  | { kind: 'field'; field: string; before: string | null; after: string | null };

const ENTITY_ORDER = ['system', 'software_title', 'release', 'file_set', 'file', 'file_set_file'];

/** Flatten a report into rows: a heading per entity kind, its changes, and the fields of expanded ones. */
export function diffRows(report: DiffReport, expanded: ReadonlySet<number>): DiffRow[] {
  const groups = new Map<string, number[]>();
  report.changes.forEach((c, i) => groups.set(c.entity, [...(groups.get(c.entity) ?? []), i]));
  const order = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const rows: DiffRow[] = [];
  for (const entity of order) {
    const idx = groups.get(entity)!;
    rows.push({ kind: 'group', entity, count: idx.length });
    for (const i of idx) {
      const c = report.changes[i]!;
      const open = expanded.has(i);
      rows.push({ kind: 'change', index: i, change: c.change, label: c.label, fields: c.fields.length, expanded: open });
      if (open) for (const f of c.fields) rows.push({ kind: 'field', ...f });
    }
  }
  return rows;
}

function rank(entity: string): number {
  const i = ENTITY_ORDER.indexOf(entity);
  return i === -1 ? ENTITY_ORDER.length : i;
}

export function toggle(set: ReadonlySet<number>, i: number): Set<number> {
  const next = new Set(set);
  if (next.has(i)) next.delete(i);
  else next.add(i);
  return next;
}

/** How many clashes someone picked a side for (differs from the default counts as picked too). */
export function mergeProgress(m: PendingMerge): { clashes: number; overridden: number } {
  return { clashes: m.clashes.length, overridden: m.clashes.filter((c) => c.chosen !== c.defaultSide).length };
}

export function shown(v: string | null): string {
  return v === null ? '(none)' : v;
}

export function clashLine(c: MergeClash): string {
  return `${c.label}: ${c.field}`;
}
