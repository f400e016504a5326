import { describe, expect, it } from 'vitest';
import { SYNC_STATES, transition, type SyncEvent, type SyncState } from '../../../src/sync/transfer/sync-state.js';

const row = (state: SyncState, attempts = 0, lastError: string | null = null) => ({ state, attempts, lastError });

describe('file_sync_log transitions', () => {
  // [from, event, to, attempts after (from 2), lastError after (from 'old')]
  const legal: [SyncState, SyncEvent, SyncState, number, string | null][] = [
    ['UploadPending', 'start', 'UploadInProgress', 3, 'old'],
    ['UploadInProgress', 'succeed', 'UploadCompleted', 2, null],
    ['UploadInProgress', 'retry', 'UploadPending', 2, 'boom'],
    ['UploadInProgress', 'fail', 'UploadFailed', 2, 'boom'],
    ['UploadInProgress', 'recover', 'UploadPending', 2, 'old'],
    ['UploadFailed', 'requeue', 'UploadPending', 2, 'old'],
    ['UploadCompleted', 'reupload', 'UploadPending', 0, 'boom'],
    ['UploadFailed', 'reupload', 'UploadPending', 0, 'boom'],
    ['DeletionCompleted', 'reupload', 'UploadPending', 0, 'boom'],
    ['DeletionFailed', 'reupload', 'UploadPending', 0, 'boom'],
    ['UploadCompleted', 'delete', 'DeletionPending', 0, 'boom'],
    ['UploadFailed', 'delete', 'DeletionPending', 0, 'boom'],
    ['DeletionCompleted', 'delete', 'DeletionPending', 0, 'boom'],
    ['DeletionPending', 'cancel', 'UploadCompleted', 0, 'boom'],
    ['DeletionFailed', 'cancel', 'UploadCompleted', 0, 'boom'],
    ['DeletionPending', 'start', 'DeletionInProgress', 3, 'old'],
    ['DeletionInProgress', 'succeed', 'DeletionCompleted', 2, null],
    ['DeletionInProgress', 'retry', 'DeletionPending', 2, 'boom'],
    ['DeletionInProgress', 'fail', 'DeletionFailed', 2, 'boom'],
    ['DeletionInProgress', 'recover', 'DeletionPending', 2, 'old'],
    ['DeletionFailed', 'requeue', 'DeletionPending', 2, 'old'],
  ];

  it.each(legal)('%s --%s--> %s', (from, event, to, attempts, lastError) => {
    const r = transition(row(from, 2, 'old'), event, 'boom');
    expect(r).toEqual({ ok: true, row: { state: to, attempts, lastError } });
  });

  it('refuses every other (state, event) pair, naming both', () => {
    const events: SyncEvent[] = ['start', 'succeed', 'retry', 'fail', 'recover', 'requeue', 'reupload', 'delete', 'cancel'];
    const allowed = new Set(legal.map(([f, e]) => `${f}/${e}`));
    let refused = 0;
    for (const s of SYNC_STATES) {
      for (const e of events) {
        if (allowed.has(`${s}/${e}`)) continue;
        const r = transition(row(s), e);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason).toBe(`cannot ${e} a blob in state ${s}`);
        refused++;
      }
    }
    expect(refused).toBe(SYNC_STATES.length * events.length - legal.length);
  });

  it('never marks Completed without passing through InProgress', () => {
    for (const s of SYNC_STATES) {
      const r = transition(row(s), 'succeed');
      if (r.ok) expect(s.endsWith('InProgress')).toBe(true);
    }
  });
});
