// Why the files of a download request are available from nowhere, in the words both the CLI
// (`trove download`) and the TUI (`d`) say it, counted by reason (download-plan.ts UnavailableReason).
import type { UnavailableReason } from './download-plan.js';

export interface UnavailableCounts {
  neverUploaded: number;
  notUploadedYet: number;
  deleted: number;
}

export function countUnavailable(files: readonly { reason: UnavailableReason }[]): UnavailableCounts {
  const n = (r: UnavailableReason) => files.filter((f) => f.reason === r).length;
  return { neverUploaded: n('never-uploaded'), notUploadedYet: n('not-uploaded-yet'), deleted: n('deleted') };
}

/** "not uploaded by any device", or "1 not uploaded by any device, 2 deleted from the remote"; '' for none. */
export function unavailableWhy(c: UnavailableCounts): string {
  const parts = (
    [
      [c.neverUploaded, 'not uploaded by any device'],
      [c.notUploadedYet, 'not uploaded yet by the device that holds them'],
      [c.deleted, 'deleted from the remote'],
    ] as const
  ).filter(([n]) => n > 0);
  return parts.length === 1 ? parts[0]![1] : parts.map(([n, text]) => `${n} ${text}`).join(', ');
}
