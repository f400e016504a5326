// Which local blobs a drop may free, decided on plain rows: only content whose remote copy the log
// records as uploaded is a candidate (never the last copy); the worker then confirms each one on the
// remote before deleting anything. Pure, table-tested.
import type { SyncState } from './sync-state.js';

export interface DropCandidate {
  sha1: string;
  type: string;
  /** Where this device's blob is (`local_blob.type`); default `type`. */
  localType?: string | null;
  /** The remote object's key type (`file_sync_log.type`); default `type`. */
  remoteType?: string;
  isLocal: boolean;
  syncState: SyncState | null;
  /**
   * Local blob size (compressed). A remote object of this size is confirmed by its size; one of
   * another size must verify by content (drop-worker.ts).
   */
  storedBytes: number | null;
}

export interface DropPlan {
  /** `type`: where the local blob is; `remoteType`: the key of the remote copy that must be there. */
  drop: { sha1: string; type: string; remoteType: string; storedBytes: number }[];
  keep: { sha1: string; reason: string }[];
  notLocal: number;
}

export function planDrop(files: DropCandidate[]): DropPlan {
  const seen = new Set<string>();
  const plan: DropPlan = { drop: [], keep: [], notLocal: 0 };
  for (const f of files) {
    if (seen.has(f.sha1)) continue;
    seen.add(f.sha1);
    if (!f.isLocal || f.storedBytes === null) plan.notLocal++;
    else if (f.syncState === 'UploadCompleted') plan.drop.push({ sha1: f.sha1, type: f.localType ?? f.type, remoteType: f.remoteType ?? f.type, storedBytes: f.storedBytes });
    else plan.keep.push({ sha1: f.sha1, reason: f.syncState ? `remote copy is ${f.syncState}, not UploadCompleted: run \`trove upload\` first` : 'never uploaded: this is the only copy' });
  }
  return plan;
}
