import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/sync/transfer/backoff.js';
import { freeSpaceShortfall, planDownloads, sizeSource, unavailableReason, worthAskingRemote, FREE_SPACE_RESERVE_BYTES } from '../../../src/sync/transfer/download-plan.js';
import { planDrop } from '../../../src/sync/transfer/drop-plan.js';
import { rateAndEta, ProgressTracker, type ProgressEvent } from '../../../src/sync/transfer/progress.js';
import { decide } from '../../../src/sync/transfer/retry-policy.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('planDownloads', () => {
  it('fetches cloud-only files once, counts local ones, lists files available nowhere', () => {
    const plan = planDownloads([
      { sha1: A, type: 'rom', size: 10, isLocal: false, isCloud: true },
      { sha1: A, type: 'rom', size: 10, isLocal: false, isCloud: true },
      { sha1: B, type: 'manual', size: 5, isLocal: true, isCloud: true },
      { sha1: C, type: 'rom', size: 7, isLocal: false, isCloud: false },
    ]);
    expect(plan).toEqual({ fetch: [{ sha1: A, type: 'rom', size: 10 }], alreadyLocal: 1, unavailable: [{ sha1: C, type: 'rom' }] });
  });
});

describe('files available from nowhere, by their log row', () => {
  it.each([
    [null, false, 'never-uploaded'],
    ['UploadPending', true, 'not-uploaded-yet'],
    ['UploadInProgress', true, 'not-uploaded-yet'],
    ['UploadFailed', true, 'not-uploaded-yet'],
    ['DeletionPending', true, 'deleted'],
    ['DeletionInProgress', true, 'deleted'],
    ['DeletionCompleted', true, 'deleted'],
    ['DeletionFailed', true, 'deleted'],
  ] as const)('%s: ask the remote %s, else %s', (state, ask, reason) => {
    expect(worthAskingRemote(state)).toBe(ask);
    expect(unavailableReason(state)).toBe(reason);
  });

  it('an UploadCompleted row is the plan\'s own business (fetched), never asked about again', () => {
    expect(worthAskingRemote('UploadCompleted')).toBe(false);
    expect(worthAskingRemote(undefined)).toBe(false);
  });
});

describe('freeSpaceShortfall', () => {
  it.each([
    [100, 100 + FREE_SPACE_RESERVE_BYTES, 0],
    [100, 99 + FREE_SPACE_RESERVE_BYTES, 1],
    [0, 0, FREE_SPACE_RESERVE_BYTES],
    [5000, 1_000_000_000, 0],
  ])('need %i with %i available → short by %i', (need, avail, short) => {
    expect(freeSpaceShortfall(need, avail)).toBe(short);
  });
});

describe('sizeSource', () => {
  it.each([
    ['a few files of a large folder: one stat each', 3, 50_000, 'stat'],
    ['200 of 50,000: still cheaper to stat', 200, 50_000, 'stat'],
    ['the whole folder (download-all on a new device): list', 2_000, 2_000, 'list'],
    ['a quarter of the folder: list', 250, 1_000, 'list'],
    ['just under a quarter: stat', 249, 1_000, 'stat'],
    ['more wanted than the catalogue knows of: list', 10, 0, 'list'],
  ] as const)('%s', (_name, wanted, known, expected) => {
    expect(sizeSource(wanted, known)).toBe(expected);
  });
});

describe('planDrop', () => {
  it('drops only local content whose upload completed; keeps the only copy and says why', () => {
    const plan = planDrop([
      { sha1: A, type: 'rom', isLocal: true, syncState: 'UploadCompleted', storedBytes: 9 },
      { sha1: B, type: 'rom', isLocal: true, syncState: null, storedBytes: 3 },
      { sha1: C, type: 'rom', isLocal: true, syncState: 'UploadPending', storedBytes: 3 },
      { sha1: 'd'.repeat(40), type: 'rom', isLocal: false, syncState: 'UploadCompleted', storedBytes: null },
    ]);
    expect(plan.drop).toEqual([{ sha1: A, type: 'rom', remoteType: 'rom', storedBytes: 9 }]);
    expect(plan.keep.map((k) => k.sha1)).toEqual([B, C]);
    expect(plan.keep[0]!.reason).toMatch(/only copy/);
    expect(plan.notLocal).toBe(1);
  });
});

describe('plans after a merge changed file.type (QA3 H3)', () => {
  it('drop deletes the local blob where it is and checks the remote object under the type it was uploaded as', () => {
    const plan = planDrop([{ sha1: A, type: 'rom', localType: 'manual', remoteType: 'disc', isLocal: true, syncState: 'UploadCompleted', storedBytes: 9 }]);
    expect(plan.drop).toEqual([{ sha1: A, type: 'manual', remoteType: 'disc', storedBytes: 9 }]);
  });
  it('download fetches the remote object under the type it was uploaded as (and stores it there)', () => {
    const plan = planDownloads([
      { sha1: A, type: 'rom', remoteType: 'manual', size: 10, isLocal: false, isCloud: true },
      { sha1: B, type: 'rom', remoteType: 'manual', size: 10, isLocal: false, isCloud: false },
    ]);
    expect(plan.fetch).toEqual([{ sha1: A, type: 'manual', size: 10 }]);
    expect(plan.unavailable).toEqual([{ sha1: B, type: 'manual' }]);
  });
});

describe('retry decisions', () => {
  it('backs off exponentially with jitter inside [c/2, c), capped', () => {
    expect(backoffDelayMs(1, { baseMs: 100 }, () => 0)).toBe(50);
    expect(backoffDelayMs(1, { baseMs: 100 }, () => 0.999)).toBe(99);
    expect(backoffDelayMs(4, { baseMs: 100 }, () => 0)).toBe(400);
    expect(backoffDelayMs(30, { baseMs: 100, maxMs: 1000 }, () => 0.5)).toBe(750);
  });
  it.each([
    ['REMOTE_UNAVAILABLE', 1, 'retry'],
    ['REMOTE_UNAVAILABLE', 4, 'retry'],
    ['REMOTE_UNAVAILABLE', 5, 'stop-run'],
    ['AUTH', 1, 'stop-run'],
    ['REMOTE_CONFIG', 1, 'stop-run'],
    ['CHECKSUM_MISMATCH', 1, 'fail-item'],
    ['NOT_FOUND', 1, 'fail-item'],
    ['IO', 1, 'fail-item'],
  ] as const)('%s on attempt %i → %s', (code, attempt, action) => {
    expect(decide(code, attempt, { maxAttempts: 5 }, () => 0).action).toBe(action);
  });
});

describe('progress', () => {
  it('computes rate and ETA from bytes and elapsed time, unknown at first', () => {
    expect(rateAndEta(0, 100, 5000)).toEqual({ rateBytesPerSec: 0, etaSeconds: null });
    expect(rateAndEta(1000, 3000, 2000)).toEqual({ rateBytesPerSec: 500, etaSeconds: 4 });
  });
  it('reports files, bytes, current item and failures as one stream of events', () => {
    let t = 0;
    const events: ProgressEvent[] = [];
    const p = new ProgressTracker('upload', (e) => events.push(e), { now: () => t, throttleMs: 0 });
    p.start(2, 300);
    p.begin('rom/aa/a.zst');
    t = 1000;
    p.addBytes(100);
    p.done('rom/aa/a.zst', A, 'done');
    p.begin('rom/bb/b.zst');
    p.failed('rom/bb/b.zst', B, 'AUTH', 'denied');
    const end = p.end();
    expect(events.map((e) => e.type)).toEqual(['start', 'progress', 'progress', 'item', 'progress', 'item', 'end']);
    expect(events[2]).toMatchObject({ bytesDone: 100, rateBytesPerSec: 100, etaSeconds: 2, current: 'rom/aa/a.zst' });
    expect(end).toMatchObject({ filesDone: 2, filesTotal: 2, failures: 1, current: null });
  });
  it('reports how far each item in flight got, and forgets an item once it finished', () => {
    const events: ProgressEvent[] = [];
    const p = new ProgressTracker('download', (e) => events.push(e), { now: () => 0, throttleMs: 0 });
    p.start(2, 300);
    p.begin('rom/aa/a.zst');
    p.begin('rom/bb/b.zst');
    p.setItemBytes('rom/aa/a.zst', 40);
    p.setItemBytes('rom/bb/b.zst', 7);
    p.setItemBytes('rom/cc/c.zst', 99); // not in flight: ignored
    expect(events.at(-1)!.inFlight).toEqual([
      { item: 'rom/aa/a.zst', bytes: 40 },
      { item: 'rom/bb/b.zst', bytes: 7 },
    ]);
    p.done('rom/aa/a.zst', A, 'done');
    expect(events.at(-1)!.inFlight).toEqual([{ item: 'rom/bb/b.zst', bytes: 7 }]);
    p.begin('rom/aa/a.zst'); // a retry of the same item starts from nothing
    expect(p.snapshot().inFlight).toEqual([
      { item: 'rom/bb/b.zst', bytes: 7 },
      { item: 'rom/aa/a.zst', bytes: 0 },
    ]);
  });
});
