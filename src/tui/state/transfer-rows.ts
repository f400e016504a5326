// The transfer screen's text, from a queue snapshot.
import { bar, formatBytes, formatDuration, formatRate, percent } from '../format.js';
import type { QueuedResult, TransferItem, TransferSnapshot } from '../services.js';
import { unavailableWhy } from '../../sync/transfer/unavailable-words.js';

export function transferTotals(s: TransferSnapshot): string {
  const parts = [
    `${s.filesDone}/${s.filesTotal} files`,
    `${formatBytes(s.bytesDone)} of ${formatBytes(s.bytesTotal)} (${percent(s.bytesDone, s.bytesTotal)})`,
    formatRate(s.bytesPerSecond),
    `ETA ${formatDuration(s.etaSeconds)}`,
  ];
  if (s.paused) parts.push('PAUSED');
  const failed = s.items.filter((i) => i.state === 'failed').length;
  if (failed) parts.push(`${failed} failed`);
  return parts.join(' · ');
}

export const STATE_LABEL: Record<TransferItem['state'], string> = {
  queued: 'queued',
  active: 'active',
  done: 'done',
  failed: 'FAILED',
  paused: 'paused',
};

/** "[####....]  45%" for an item, or its failure reason. */
export function itemProgress(i: TransferItem, barWidth: number): string {
  if (i.state === 'failed') return i.error ?? 'failed';
  return `${bar(i.bytesDone, i.bytesTotal, barWidth)} ${percent(i.bytesDone, i.bytesTotal).padStart(4)}`;
}

/**
 * What the message line says after `d` / `D`, as `trove download` reports the same request: what was
 * queued, what is already here, and — as an error, never as "Queued" — what is available nowhere
 * (neither on this device nor on the remote). Those are not queued, so they never show up as failed
 * transfers (QA2 F5.1).
 */
export function downloadOutcome(label: string, r: QueuedResult): { text: string; tone: 'info' | 'error' } {
  const here = r.alreadyLocal ? `; ${r.alreadyLocal} already here` : '';
  const why = r.unavailableWhy ? unavailableWhy(r.unavailableWhy) : '';
  const nowhere = `${r.unavailable} file(s) not available anywhere (neither on this device nor on the remote${why ? `: ${why}` : ''})`;
  if (r.queued && !r.unavailable) return { text: `Queued ${r.queued} file(s) of ${label} for download (2: transfers)${here}`, tone: 'info' };
  if (r.queued) return { text: `Queued ${r.queued} file(s) of ${label} for download (2: transfers)${here}; ${nowhere}: not queued`, tone: 'error' };
  if (r.unavailable) return { text: `Nothing to download from: ${label} has ${nowhere}${here}`, tone: 'error' };
  return { text: `Nothing to download: every file of ${label} is already here`, tone: 'info' };
}
