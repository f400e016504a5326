// d / D / x / e on a release or file set: the flows behind the keys, shared by the browser screens.
import type { ActionTarget, QueuedResult } from '../services.js';
import { downloadOutcome } from '../state/transfer-rows.js';
import { canDrop, dropQuestion, exportSummary } from '../state/confirmations.js';
import type { Ui } from '../ui-context.js';
import { formatBytes } from '../format.js';

export function startDownload(ui: Ui, target: ActionTarget): void {
  ui.services.download(target).then((r) => sayQueued(ui, target.label, r), ui.fail);
}

/** `D`: every file of a system. */
export function startDownloadAll(ui: Ui, systemId: string, label: string): void {
  ui.services.downloadAll(systemId).then((r) => sayQueued(ui, label, r), ui.fail);
}

function sayQueued(ui: Ui, label: string, r: QueuedResult): void {
  const { text, tone } = downloadOutcome(label, r);
  ui.notify(text, tone);
}

export function startDrop(ui: Ui, target: ActionTarget, g: { files: number; local: number; synchronized: number }): void {
  const question = dropQuestion(target.label, g);
  if (!canDrop(g)) {
    ui.notify(g.local === 0 ? question : `Nothing to drop: no local file of ${target.label} has a verified remote copy.`, 'error');
    return;
  }
  ui.confirm(question, () => {
    ui.services.drop(target).then(
      (r) => ui.notify(`Dropped ${r.dropped} local file(s) of ${target.label} (${formatBytes(r.bytesFreed)} freed), kept ${r.kept}`),
      ui.fail,
    );
  });
}

export function startExport(ui: Ui, target: ActionTarget, defaultDir: string): void {
  ui.prompt({
    label: 'Export to folder',
    initial: defaultDir,
    onSubmit: (dir) => {
      ui.notify(`Exporting ${target.label} …`);
      ui.services.exportTarget(target, dir).then((r) => ui.notify(exportSummary(r.files, r.dir)), ui.fail);
    },
  });
}

/** A folder name for an export that is safe to type into a prompt: the label without path separators. */
export function exportDirFor(cwd: string, label: string): string {
  return `${cwd.replace(/\/+$/, '')}/${label.replace(/[/\\]/g, '_')}`;
}
