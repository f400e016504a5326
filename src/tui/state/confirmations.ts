// What a confirmation says before a destructive step, computed from plain rows.
import { formatBytes, shortId } from '../format.js';
import type { Counts, RestorePoint } from '../services.js';

/** Drop: only files with a verified remote copy are freed; the rest stay (never the last copy). */
export function dropQuestion(label: string, g: { files: number; local: number; synchronized: number }): string {
  if (g.local === 0) return `${label} has no local copies to drop.`;
  const kept = g.local - g.synchronized;
  const parts = [`Drop the local copies of ${label}?`, `${g.synchronized} of ${g.local} local file(s) have a verified copy on the remote and will be freed`];
  if (kept > 0) parts.push(`${kept} file(s) exist only here and will be kept`);
  return parts.join(' ') + '.';
}

export function canDrop(g: { local: number; synchronized: number }): boolean {
  return g.synchronized > 0;
}

function change(what: string, now: number, then: number): string | undefined {
  return now === then ? undefined : `${what} ${now.toLocaleString('en-US')} → ${then.toLocaleString('en-US')}`;
}

/** Restore: say what the catalogue becomes, and that the current one is backed up first. */
export function restoreQuestion(point: RestorePoint, now: Counts): string {
  const c = point.counts;
  const changes = [
    change('systems', now.systems, c.systems),
    change('releases', now.releases, c.releases),
    change('file sets', now.fileSets, c.fileSets),
    change('files', now.files, c.files),
  ].filter(Boolean);
  const what = changes.length ? changes.join(', ') : 'the same counts (contents may differ)';
  return `Restore the ${point.kind} ${shortId(point.id)} from ${point.createdAt} (${point.device})? Catalogue: ${what}. The current database is backed up first.`;
}

export function exportSummary(files: number, dir: string): string {
  return `Exported ${files} file(s) to ${dir}`;
}

export function bytesLine(bytes: number): string {
  return formatBytes(bytes);
}

/**
 * Cancel the queued downloads (`c` on Transfers, as `trove download --cancel`): the whole queue in
 * state.db, including what an earlier run left that this screen does not list; in-flight items finish.
 */
export function cancelQueuedQuestion(listed: number): string {
  const here = listed ? `${listed} unfinished download(s) listed here, and any an earlier run left queued` : 'any downloads an earlier run left queued';
  return `Cancel the queued downloads? Forgets ${here}; downloads in flight finish. Nothing is deleted from this device.`;
}
