import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/store/ids.js';
import type { SnapshotManifest } from '../../src/sync/snapshot/manifest.js';
import { findSnapshot } from '../../src/sync/snapshot/restore.js';
import { bar, cell, fit, formatBytes, formatDuration, shortId } from '../../src/tui/format.js';
import { changeText } from '../../src/tui/screens/SyncScreen.js';
import { canDrop, dropQuestion, restoreQuestion } from '../../src/tui/state/confirmations.js';
import { diffRows, mergeProgress, toggle } from '../../src/tui/state/diff-rows.js';
import { breadcrumb, currentScreen, initialNavigation, navigationReducer, nextFilter, sectionOf } from '../../src/tui/state/navigation.js';
import { pagingModeFor } from '../../src/tui/state/release-paging.js';
import { downloadOutcome, transferTotals } from '../../src/tui/state/transfer-rows.js';
import type { DiffReport, PendingMerge, RestorePoint } from '../../src/tui/services.js';

describe('navigation', () => {
  it('pushes screens and goes back, never past the first', () => {
    let n = navigationReducer(initialNavigation, { type: 'push', screen: { kind: 'releases', systemId: 's', system: 'SNES' } });
    expect(breadcrumb(currentScreen(n))).toBe('SNES');
    n = navigationReducer(n, { type: 'back' });
    n = navigationReducer(n, { type: 'back' });
    expect(n.stack).toEqual([{ kind: 'systems' }]);
  });

  it('jumps to a section and back to the browser where the user was', () => {
    let n = navigationReducer(initialNavigation, { type: 'push', screen: { kind: 'releases', systemId: 's', system: 'SNES' } });
    n = navigationReducer(n, { type: 'section', section: 'transfers' });
    expect(currentScreen(n).kind).toBe('transfers');
    n = navigationReducer(n, { type: 'section', section: 'browse' });
    expect(currentScreen(n)).toEqual({ kind: 'releases', systemId: 's', system: 'SNES' });
    expect(sectionOf({ kind: 'merge' })).toBe('sync');
  });

  it('cycles the availability filter through all four', () => {
    expect([nextFilter('all'), nextFilter('local'), nextFilter('cloud'), nextFilter('missing')]).toEqual(['local', 'cloud', 'missing', 'all']);
  });

  it('pages name order by offset and the rest by an id list', () => {
    expect(pagingModeFor({ systemId: 's', search: 'x', filter: 'all', sort: 'name' })).toBe('offset');
    expect(pagingModeFor({ systemId: 's', search: '', filter: 'local', sort: 'name' })).toBe('ids');
    expect(pagingModeFor({ systemId: 's', search: '', filter: 'all', sort: 'size' })).toBe('ids');
  });
});

describe('text', () => {
  it('fits and pads cells', () => {
    expect(fit('ActRaiser (USA)', 8)).toBe('ActRais…');
    expect(cell('12', 5, 'right')).toBe('   12');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(null)).toBe('--');
    expect(bar(5, 10, 12)).toBe('[#####.....]');
  });

  it('says how many files a drop frees and how many it keeps', () => {
    const q = dropQuestion('SNES › ActRaiser (USA)', { files: 3, local: 3, synchronized: 2 });
    expect(q).toContain('2 of 3 local file(s) have a verified copy on the remote');
    expect(q).toContain('1 file(s) exist only here and will be kept');
    expect(canDrop({ local: 3, synchronized: 0 })).toBe(false);
    expect(dropQuestion('X', { files: 2, local: 0, synchronized: 0 })).toBe('X has no local copies to drop.');
  });

  it('shows snapshot and backup ids long enough to tell apart, and a restore finds one by what is shown (QA T8)', () => {
    // UUIDv7 ids made a second apart share their first 8 characters (a ~65 s time prefix).
    const t = Date.parse('2026-01-02T03:04:05Z');
    const a = uuidv7(t);
    const b = uuidv7(t + 1000);
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
    expect(shortId(a)).not.toBe(shortId(b));
    expect(shortId(a)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}$/);
    const byId = new Map([a, b].map((id) => [id, { id } as SnapshotManifest]));
    expect(findSnapshot(byId, shortId(b)).id).toBe(b);
    const p: RestorePoint = { id: b, kind: 'snapshot', createdAt: '2026-01-02T03:04:06Z', device: 'laptop', note: '', counts: { systems: 1, releases: 1, fileSets: 1, files: 1 } };
    expect(restoreQuestion(p, p.counts)).toContain(`snapshot ${shortId(b)} `);
  });

  it('shows local deletions as well as additions (QA T2)', () => {
    expect(changeText({ release: -1, file: -2 })).toBe('-1 release, -2 file');
    expect(changeText({ release: 3, file: 0, file_set: -1 })).toBe('+3 release, -1 file_set');
    expect(changeText({})).toBe('none');
  });

  it('says what a restore changes', () => {
    const p: RestorePoint = { id: '0190abcd-1234', kind: 'backup', createdAt: '2026-01-02T03:04:05Z', device: 'laptop', note: 'before pull', counts: { systems: 3, releases: 40, fileSets: 80, files: 90 } };
    const q = restoreQuestion(p, { systems: 3, releases: 48, fileSets: 96, files: 90 });
    expect(q).toContain('releases 48 → 40');
    expect(q).toContain('file sets 96 → 80');
    expect(q).not.toContain('systems');
    expect(q).toContain('backed up first');
  });

  it('sums up the transfer queue', () => {
    const t = transferTotals({
      items: [{ id: '1', label: 'a', direction: 'download', state: 'failed', bytesDone: 0, bytesTotal: 10, error: 'checksum mismatch' }],
      paused: true, filesDone: 1, filesTotal: 4, bytesDone: 1024, bytesTotal: 4096, bytesPerSecond: 512, etaSeconds: 6,
    });
    expect(t).toBe('1/4 files · 1.0 KiB of 4.0 KiB (25%) · 512 B/s · ETA 6s · PAUSED · 1 failed');
  });
});

describe('diff rows', () => {
  const report: DiffReport = {
    from: 'local',
    to: 'head',
    changes: [
      { entity: 'release', change: 'modified', label: 'SNES › ActRaiser (USA)', fields: [{ field: 'region', before: 'USA', after: 'USA, Canada' }] },
      { entity: 'system', change: 'added', label: 'Atari - 2600', fields: [] },
      { entity: 'release', change: 'removed', label: 'SNES › Pilotwings (USA)', fields: [] },
    ],
  };

  it('groups by entity (systems first) and expands a change to its fields', () => {
    const collapsed = diffRows(report, new Set());
    expect(collapsed.map((r) => r.kind)).toEqual(['group', 'change', 'group', 'change', 'change']);
    expect(collapsed[0]).toEqual({ kind: 'group', entity: 'system', count: 1 });
    const open = diffRows(report, toggle(new Set(), 0));
    expect(open[4]).toEqual({ kind: 'field', field: 'region', before: 'USA', after: 'USA, Canada' });
    expect(diffRows(report, toggle(toggle(new Set(), 0), 0))).toEqual(collapsed);
  });

  it('counts clashes resolved against the default', () => {
    const m: PendingMerge = {
      base: 'b', head: 'h', cleanChanges: 4,
      clashes: [
        { id: '1', entity: 'release', label: 'x', field: 'name', base: 'a', local: 'b', cloud: 'c', defaultSide: 'cloud', chosen: 'local' },
        { id: '2', entity: 'release', label: 'y', field: 'name', base: 'a', local: 'b', cloud: 'c', defaultSide: 'cloud', chosen: 'cloud' },
      ],
    };
    expect(mergeProgress(m)).toEqual({ clashes: 2, overridden: 1 });
  });
});

describe('download outcome (QA2 F5.1)', () => {
  it('says Queued only for what was queued; files available nowhere are an error, never "Queued"', () => {
    expect(downloadOutcome('SNES › ActRaiser (USA)', { queued: 2, alreadyLocal: 0, unavailable: 0 })).toEqual({
      text: 'Queued 2 file(s) of SNES › ActRaiser (USA) for download (2: transfers)',
      tone: 'info',
    });
    const none = downloadOutcome('Sega › Turbo Soccer (USA, Europe)', { queued: 0, alreadyLocal: 1, unavailable: 1 });
    expect(none.tone).toBe('error');
    expect(none.text).toBe('Nothing to download from: Sega › Turbo Soccer (USA, Europe) has 1 file(s) not available anywhere (neither on this device nor on the remote); 1 already here');
    expect(none.text).not.toContain('Queued');
    const some = downloadOutcome('SNES', { queued: 3, alreadyLocal: 0, unavailable: 1 });
    expect(some.tone).toBe('error');
    expect(some.text).toContain('Queued 3 file(s) of SNES for download');
    expect(some.text).toContain('1 file(s) not available anywhere (neither on this device nor on the remote): not queued');
    expect(downloadOutcome('SNES › X', { queued: 0, alreadyLocal: 4, unavailable: 0 })).toEqual({ text: 'Nothing to download: every file of SNES › X is already here', tone: 'info' });
  });
});
