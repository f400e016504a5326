import { describe, expect, it } from 'vitest';
import { bar, cell, fit, formatBytes, formatDuration } from '../../src/tui/format.js';
import { canDrop, dropQuestion, restoreQuestion } from '../../src/tui/state/confirmations.js';
import { diffRows, mergeProgress, toggle } from '../../src/tui/state/diff-rows.js';
import { breadcrumb, currentScreen, initialNavigation, navigationReducer, nextFilter, sectionOf } from '../../src/tui/state/navigation.js';
import { pagingModeFor } from '../../src/tui/state/release-paging.js';
import { transferTotals } from '../../src/tui/state/transfer-rows.js';
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
