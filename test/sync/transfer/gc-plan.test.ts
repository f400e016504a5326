import { describe, expect, it } from 'vitest';
import { parseBlobKey, parseGrace, planGc, type GcInputs, type ListedObject } from '../../../src/sync/transfer/gc-plan.js';
import type { SyncState } from '../../../src/sync/transfer/sync-state.js';

const sha = (c: string) => c.repeat(40);
const key = (c: string, type = 'rom') => `${type}/${c}${c}/${sha(c)}.zst`;
const NOW = Date.parse('2026-01-02T00:00:00Z');
const HOUR = 3_600_000;
const OLD = '2026-01-01T00:00:00Z'; // 24 h before NOW
const RECENT = '2026-01-01T23:30:00Z'; // 30 min before NOW

function inputs(over: Partial<GcInputs> & { listing: ListedObject[] }): GcInputs {
  return { catalogue: new Set(), snapshots: new Set(), log: new Map(), now: NOW, graceMs: HOUR, ...over };
}

describe('planGc: what happens to one listed blob', () => {
  // [case, listed object, catalogue refs?, snapshot refs?, log state, grace ms, includeUnknown, expected]
  const cases: [string, ListedObject, boolean, boolean, SyncState | null, number, boolean, string][] = [
    ['unreferenced, old, uploaded', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'UploadCompleted', HOUR, false, 'delete'],
    ['referenced by the catalogue', { key: key('a'), size: 5, modifiedAt: OLD }, true, false, 'UploadCompleted', HOUR, false, 'catalogue'],
    ['referenced by a retained snapshot only', { key: key('a'), size: 5, modifiedAt: OLD }, false, true, 'UploadCompleted', HOUR, false, 'snapshot'],
    ['referenced by both', { key: key('a'), size: 5, modifiedAt: OLD }, true, true, 'UploadCompleted', 0, true, 'catalogue'],
    ['snapshot reference wins over grace 0 and includeUnknown', { key: key('a'), size: 5 }, false, true, null, 0, true, 'snapshot'],
    ['written within the grace period', { key: key('a'), size: 5, modifiedAt: RECENT }, false, false, 'UploadCompleted', HOUR, false, 'within grace period'],
    ['written just past the grace period', { key: key('a'), size: 5, modifiedAt: RECENT }, false, false, 'UploadCompleted', 30 * 60_000, false, 'delete'],
    ['age unknown with a grace period', { key: key('a'), size: 5 }, false, false, 'UploadCompleted', HOUR, false, 'age unknown'],
    ['unparseable age with a grace period', { key: key('a'), size: 5, modifiedAt: 'yesterday' }, false, false, 'UploadCompleted', HOUR, false, 'age unknown'],
    ['age unknown, grace 0', { key: key('a'), size: 5 }, false, false, 'UploadCompleted', 0, false, 'delete'],
    ['upload queued on some device', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'UploadPending', 0, true, 'upload queued'],
    ['upload running', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'UploadInProgress', 0, true, 'upload queued'],
    ['upload failed earlier (object may be there)', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'UploadFailed', HOUR, false, 'delete'],
    ['no log row', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, null, HOUR, false, 'not in the sync log'],
    ['no log row, includeUnknown', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, null, HOUR, true, 'delete'],
    ['no log row, includeUnknown, recent', { key: key('a'), size: 5, modifiedAt: RECENT }, false, false, null, HOUR, true, 'within grace period'],
    ['deleted before, written again since', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'DeletionCompleted', HOUR, false, 'delete'],
    ['pending deletion still unreferenced', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'DeletionPending', HOUR, false, 'delete'],
    ['failed deletion still unreferenced', { key: key('a'), size: 5, modifiedAt: OLD }, false, false, 'DeletionFailed', HOUR, false, 'delete'],
    ['manual blob, unreferenced', { key: key('b', 'manual'), size: 5, modifiedAt: OLD }, false, false, 'UploadCompleted', HOUR, false, 'delete'],
  ];

  it.each(cases)('%s', (_name, obj, inCatalogue, inSnapshots, state, graceMs, includeUnknown, expected) => {
    const sha1 = parseBlobKey(obj.key)!.sha1;
    const plan = planGc(
      inputs({
        listing: [obj],
        catalogue: new Set(inCatalogue ? [sha1] : []),
        snapshots: new Set(inSnapshots ? [sha1] : []),
        log: new Map(state ? [[sha1, state]] : []),
        graceMs,
        includeUnknown,
      }),
    );
    const outcome =
      plan.delete.length === 1
        ? 'delete'
        : plan.referenced.catalogue
          ? 'catalogue'
          : plan.referenced.snapshotsOnly
            ? 'snapshot'
            : plan.keep[0]?.reason;
    expect(outcome).toBe(expected);
    expect(plan.delete.length + plan.keep.length + plan.referenced.catalogue + plan.referenced.snapshotsOnly).toBe(1);
    if (expected === 'delete') expect(plan.delete[0]).toEqual({ key: obj.key, sha1, type: obj.key.split('/')[0], size: 5, state });
  });
});

describe('planGc: the layout', () => {
  it('never plans anything outside the blob layout, and lists strays under type folders as foreign', () => {
    const plan = planGc(
      inputs({
        graceMs: 0,
        includeUnknown: true,
        listing: [
          { key: 'metadata/snapshots/0190.json', size: 1 },
          { key: `metadata/chunks/${sha('c')}.zst`, size: 1 },
          { key: `metadata/databases/cc/${sha('c')}.db.zst`, size: 1 },
          { key: 'trove-check/0190-probe', size: 1 },
          { key: `.trove-tmp/${sha('c')}.zst`, size: 1 },
          { key: `rom/dd/${sha('d')}.zst.partial`, size: 1 }, // not a blob key
          { key: `rom/ab/${sha('d')}.zst`, size: 1 }, // prefix does not match the sha1
          { key: `rom/${sha('d')}.zst`, size: 1 }, // no prefix folder
          { key: `roms/dd/${sha('d')}.zst`, size: 1 }, // not a type folder
          { key: `rom/dd/${sha('D')}.zst`, size: 1 }, // upper case is not a trove sha1
          { key: key('e'), size: 7 },
        ],
      }),
    );
    expect(plan.delete.map((d) => d.key)).toEqual([key('e')]);
    expect(plan.foreign).toEqual([`rom/dd/${sha('d')}.zst.partial`, `rom/ab/${sha('d')}.zst`, `rom/${sha('d')}.zst`, `rom/dd/${sha('D')}.zst`]);
    expect(plan.keep).toEqual([]);
  });

  it('matches references by sha1 whatever the type folder (a snapshot that filed the content as a manual keeps its rom copy)', () => {
    const plan = planGc(inputs({ graceMs: 0, listing: [{ key: key('a', 'rom'), size: 1 }, { key: key('a', 'manual'), size: 1 }], snapshots: new Set([sha('a')]), log: new Map([[sha('a'), 'UploadCompleted']]) }));
    expect(plan.delete).toEqual([]);
    expect(plan.referenced.snapshotsOnly).toBe(2);
  });
});

describe('planGc: deletions an earlier run left unfinished', () => {
  const log = new Map<string, SyncState>([
    [sha('a'), 'DeletionPending'], // listed, now referenced by the catalogue → cancel
    [sha('b'), 'DeletionFailed'], // listed, within grace → cancel
    [sha('c'), 'DeletionPending'], // not listed, unreferenced → complete (deleted, then the run crashed)
    [sha('d'), 'DeletionInProgress'], // not listed, referenced by a snapshot → reupload
    [sha('e'), 'DeletionPending'], // listed, unreferenced, old → delete (no settle)
    [sha('f'), 'UploadCompleted'], // not listed: not gc's business
  ]);
  it('cancels, completes or re-queues them, and deletes the rest', () => {
    const plan = planGc(
      inputs({
        listing: [
          { key: key('a'), size: 1, modifiedAt: OLD },
          { key: key('b'), size: 1, modifiedAt: RECENT },
          { key: key('e'), size: 1, modifiedAt: OLD },
        ],
        catalogue: new Set([sha('a')]),
        snapshots: new Set([sha('d')]),
        log,
      }),
    );
    expect(plan.settle).toEqual([
      { sha1: sha('a'), action: 'cancel' },
      { sha1: sha('b'), action: 'cancel' },
      { sha1: sha('c'), action: 'complete' },
      { sha1: sha('d'), action: 'reupload' },
    ]);
    expect(plan.delete.map((d) => d.sha1)).toEqual([sha('e')]);
  });
});

describe('parseGrace', () => {
  it.each([
    ['0', 0],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    [' 2h ', 7_200_000],
  ])('%j → %i ms', (text, ms) => expect(parseGrace(text)).toBe(ms));

  it.each(['', '24', '-1h', '1.5h', '1w', 'h'])('refuses %j, naming it', (text) => {
    expect(() => parseGrace(text)).toThrow(/grace period .*expected a number with a unit/);
  });
});

describe('planGc: staging files of interrupted writes', () => {
  const staged = (name: string, modifiedAt?: string | null) => ({ key: `.trove-tmp/${name}`, size: 7, modifiedAt });
  it.each([
    ['older than the grace period', staged('a.zst.x1', OLD), HOUR, 'delete'],
    ['written within the grace period (an upload may be running)', staged('a.zst.x2', RECENT), HOUR, 'within grace period'],
    ['age unknown with a grace period', staged('a.zst.x3', null), HOUR, 'age unknown'],
    ['age unknown, grace 0', staged('a.zst.x4'), 0, 'delete'],
    ['recent, grace 0', staged('a.zst.x5', RECENT), 0, 'delete'],
  ] as const)('%s', (_name, file, graceMs, expected) => {
    const plan = planGc(inputs({ listing: [], staging: [file], graceMs }));
    if (expected === 'delete') {
      expect(plan.staging).toEqual({ delete: [file], keep: [] });
    } else {
      expect(plan.staging).toEqual({ delete: [], keep: [{ ...file, reason: expected }] });
    }
    expect(plan.delete).toEqual([]);
  });

  it('staging files never become blob candidates, and blobs never staging candidates', () => {
    const plan = planGc(inputs({ listing: [{ key: key('a'), size: 5, modifiedAt: OLD }], staging: [staged(`${sha('a')}.zst.abc`, OLD)], log: new Map([[sha('a'), 'UploadCompleted']]) }));
    expect(plan.delete.map((d) => d.key)).toEqual([key('a')]);
    expect(plan.staging.delete.map((d) => d.key)).toEqual([`.trove-tmp/${sha('a')}.zst.abc`]);
  });
});
