// The diff report as text for people: one line per changed entity, `--summary` as a table of counts.
import { ENTITY_KINDS, type EntityKind } from './catalog-tables.js';
import { totalChanges, type DiffReport, type EntityChange, type FieldChange, type SqlValue } from './diff-report.js';

export const ENTITY_NOUNS: Record<EntityKind, [one: string, many: string]> = {
  system: ['system', 'systems'],
  software_title: ['title', 'titles'],
  release: ['release', 'releases'],
  file_set: ['file set', 'file sets'],
  file: ['file', 'files'],
  file_set_file: ['membership', 'memberships'],
  dat_source: ['DAT', 'DATs'],
  dat_game: ['DAT game', 'DAT games'],
  dat_rom: ['DAT rom', 'DAT roms'],
};

export function formatValue(v: SqlValue | undefined): string {
  if (v === null || v === undefined) return '∅';
  return typeof v === 'number' ? String(v) : `'${v}'`;
}

export function formatFieldChange(f: FieldChange): string {
  if (f.beforeLabel !== undefined || f.afterLabel !== undefined) {
    const side = (label: string | null | undefined, v: SqlValue) => (label ? `'${label}'` : formatValue(v));
    return `${f.field} ${side(f.beforeLabel, f.before)} → ${side(f.afterLabel, f.after)}`;
  }
  return `${f.field} ${formatValue(f.before)} → ${formatValue(f.after)}`;
}

const MARK: Record<EntityChange['change'], string> = { added: '+', removed: '-', modified: '~' };

export function formatChange(c: EntityChange): string {
  const noun = ENTITY_NOUNS[c.entity][0].padEnd(10);
  const detail = c.change === 'modified' ? `: ${c.fields.map(formatFieldChange).join('; ')}` : '';
  return `${MARK[c.change]} ${noun} ${c.label}${detail}`;
}

export function summaryLines(report: DiffReport): string[] {
  const lines = [`${'entity'.padEnd(12)} ${'added'.padStart(8)} ${'removed'.padStart(8)} ${'modified'.padStart(8)}`];
  for (const e of ENTITY_KINDS) {
    const c = report.summary[e];
    lines.push(`${ENTITY_NOUNS[e][1].padEnd(12)} ${String(c.added).padStart(8)} ${String(c.removed).padStart(8)} ${String(c.modified).padStart(8)}`);
  }
  return lines;
}

function syncStatusLine(report: DiffReport): string[] {
  const s = report.syncStatus;
  const n = s.added + s.removed + s.modified;
  return n ? [`(cloud status of blobs, not shown above: ${s.added} added, ${s.removed} removed, ${s.modified} changed in file_sync_log)`] : [];
}

export function renderDiffText(report: DiffReport): string[] {
  const head = [`--- a: ${report.a.label}`, `+++ b: ${report.b.label}`];
  if (report.changes === undefined) return [...head, ...summaryLines(report), ...syncStatusLine(report)];
  if (totalChanges(report.summary) === 0) return [...head, 'No catalogue changes.', ...syncStatusLine(report)];
  const counts = ENTITY_KINDS.filter((e) => {
    const c = report.summary[e];
    return c.added + c.removed + c.modified > 0;
  }).map((e) => {
    const c = report.summary[e];
    return `${ENTITY_NOUNS[e][1]} +${c.added} -${c.removed} ~${c.modified}`;
  });
  return [...head, ...report.changes.map(formatChange), `${counts.join(', ')}`, ...syncStatusLine(report)];
}
