// The transfer screen's text, from a queue snapshot.
import { bar, formatBytes, formatDuration, formatRate, percent } from '../format.js';
import type { TransferItem, TransferSnapshot } from '../services.js';

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
