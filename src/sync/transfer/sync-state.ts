// The file_sync_log state machine: one row per blob (by SHA1) records where its remote copy stands.
// `transition` is the only place that knows which moves are legal; the worker and the repository
// apply its answer. Pure and table-tested.
//
//   UploadPending ──start──▶ UploadInProgress ──succeed──▶ UploadCompleted ──delete──▶ DeletionPending
//        ▲  ▲                  │  │                            │                        │ start
//        │  └──retry/recover───┘  └──fail──▶ UploadFailed      └─reupload─▶ UploadPending  ▼
//        └──────────── requeue ──────────────────┘                          DeletionInProgress
//                                                      DeletionCompleted ◀──succeed──┘ │ fail
//                                                      DeletionFailed ◀────────────────┘
// A deletion that has not happened can be called off (cancel: DeletionPending | DeletionFailed →
// UploadCompleted) when the blob is wanted again; the caller checks that the object is still there.
export const SYNC_STATES = [
  'UploadPending',
  'UploadInProgress',
  'UploadCompleted',
  'UploadFailed',
  'DeletionPending',
  'DeletionInProgress',
  'DeletionCompleted',
  'DeletionFailed',
] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export type SyncEvent =
  /** A worker takes the item: counts one attempt. */
  | 'start'
  /** The remote holds the object (written, or found present with the right size). */
  | 'succeed'
  /** A retryable failure: back to pending, to be tried again after a backoff. */
  | 'retry'
  /** A permanent failure, or retries exhausted. */
  | 'fail'
  /** Crash recovery on start: whatever was in progress did not finish. */
  | 'recover'
  /** A user-started run takes failed items again. */
  | 'requeue'
  /** The remote copy is gone or bad (found by --verify) or content was added again after deletion. */
  | 'reupload'
  /** Remove the remote copy (only when no retained snapshot references it: decided by the caller). */
  | 'delete'
  /** A deletion called off before it happened (the blob is wanted again and still on the remote). */
  | 'cancel';

export interface SyncRow {
  state: SyncState;
  attempts: number;
  lastError: string | null;
}

export type TransitionResult = { ok: true; row: SyncRow } | { ok: false; reason: string };

const MOVES: Record<SyncEvent, Partial<Record<SyncState, SyncState>>> = {
  start: { UploadPending: 'UploadInProgress', DeletionPending: 'DeletionInProgress' },
  succeed: { UploadInProgress: 'UploadCompleted', DeletionInProgress: 'DeletionCompleted' },
  retry: { UploadInProgress: 'UploadPending', DeletionInProgress: 'DeletionPending' },
  fail: { UploadInProgress: 'UploadFailed', DeletionInProgress: 'DeletionFailed' },
  recover: { UploadInProgress: 'UploadPending', DeletionInProgress: 'DeletionPending' },
  requeue: { UploadFailed: 'UploadPending', DeletionFailed: 'DeletionPending' },
  reupload: { UploadCompleted: 'UploadPending', DeletionCompleted: 'UploadPending', DeletionFailed: 'UploadPending', UploadFailed: 'UploadPending' },
  // DeletionCompleted: the object was deleted, then written again (a device re-uploaded it) and is unreferenced once more.
  delete: { UploadCompleted: 'DeletionPending', UploadFailed: 'DeletionPending', DeletionCompleted: 'DeletionPending' },
  cancel: { DeletionPending: 'UploadCompleted', DeletionFailed: 'UploadCompleted' },
};

/**
 * The row after `event`, or why the event does not apply. `error` is kept as last_error on retry and
 * fail; success clears it. Attempts count starts and reset when an item is queued afresh.
 */
export function transition(row: SyncRow, event: SyncEvent, error?: string): TransitionResult {
  const next = MOVES[event][row.state];
  if (!next) return { ok: false, reason: `cannot ${event} a blob in state ${row.state}` };
  switch (event) {
    case 'start':
      return { ok: true, row: { state: next, attempts: row.attempts + 1, lastError: row.lastError } };
    case 'succeed':
      return { ok: true, row: { state: next, attempts: row.attempts, lastError: null } };
    case 'retry':
    case 'fail':
      return { ok: true, row: { state: next, attempts: row.attempts, lastError: error ?? row.lastError } };
    case 'recover':
    case 'requeue':
      return { ok: true, row: { state: next, attempts: row.attempts, lastError: row.lastError } };
    case 'reupload':
    case 'delete':
    case 'cancel':
      return { ok: true, row: { state: next, attempts: 0, lastError: error ?? null } };
  }
}

export function isSyncState(s: string): s is SyncState {
  return (SYNC_STATES as readonly string[]).includes(s);
}
