// The screens whose capabilities land on other branches, driven through scripted services: what a
// person reads on the transfer queue, the sync status, the merge viewer, backups and snapshots.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/tui/App.js';
import type { MergeClash, TransferSnapshot } from '../../src/tui/services.js';
import { KEY, press, pressNoop, selectedLine, waitFor, waitForText } from './helpers.js';
import { ScriptedServices } from './scripted-services.js';

const size = { columns: 100, rows: 24 };

function queue(over: Partial<TransferSnapshot> = {}): TransferSnapshot {
  return {
    items: [
      { id: 't1', label: 'SNES › ActRaiser (USA) › rom', direction: 'download', state: 'active', bytesDone: 512 * 1024, bytesTotal: 1024 * 1024 },
      { id: 't2', label: 'SNES › Pilotwings (USA) › rom', direction: 'download', state: 'failed', bytesDone: 0, bytesTotal: 2048, error: 'checksum mismatch for 3f2a…' },
      { id: 't3', label: 'SNES › F-Zero (USA) › rom', direction: 'download', state: 'queued', bytesDone: 0, bytesTotal: 4096 },
    ],
    paused: false, filesDone: 0, filesTotal: 3, bytesDone: 512 * 1024, bytesTotal: 1024 * 1024 + 6144, bytesPerSecond: 256 * 1024, etaSeconds: 2,
    ...over,
  };
}

describe('transfers screen', () => {
  it('shows per-item and total progress, the failure reason, and retries the failed item with r', async () => {
    const s = new ScriptedServices();
    s.transferState = queue();
    const r = render(<App services={s} size={size} />);
    await waitForText(r, 'No systems yet');
    let f = await press(r, '2', '0/3 files');
    expect(f).toContain('256 KiB/s');
    expect(f).toContain('ETA 2s');
    expect(f).toMatch(/active\s+↓ SNES › ActRaiser \(USA\) › rom\s+\[#+\.+\]\s+50%/);
    expect(f).toContain('checksum mismatch for 3f2a…');
    f = await press(r, 'r', 'Select a failed transfer');
    await press(r, 'j');
    await press(r, 'r', 'Retrying SNES › Pilotwings (USA) › rom');
    expect(s.calls).toContain('retry t2');
    s.emitTransfers(queue({ filesDone: 1, items: queue().items.map((i) => (i.id === 't1' ? { ...i, state: 'done' as const, bytesDone: i.bytesTotal } : i)) }));
    f = await waitForText(r, '1/3 files');
    expect(f).toMatch(/done\s+↓ SNES › ActRaiser \(USA\) › rom\s+\[#+\]\s+100%/);
    await press(r, ' ', 'Transfers paused');
    expect(s.calls).toContain('paused true');
    r.unmount();
  });

  it('at 60 columns rows stay apart by their end, and the selected row shows its whole failure reason (QA T7)', async () => {
    const s = new ScriptedServices();
    const long = 'Nintendo - Nintendo Entertainment System › Super Mario Bros. (World)';
    const reason = 'download rom/8d/8d8a99fc6753e0a1.zst: not found on fs:/srv/trove (the log says it was uploaded; the uploading device should run `trove upload --verify`)';
    s.transferState = queue({
      items: [
        { id: 'a', label: `${long} · rom 8d8a99fc`, direction: 'download', state: 'failed', bytesDone: 0, bytesTotal: 10, error: reason },
        { id: 'b', label: `${long} · manual 11aa22bb`, direction: 'download', state: 'queued', bytesDone: 0, bytesTotal: 10 },
      ],
    });
    const r = render(<App services={s} size={{ columns: 60, rows: 16 }} />);
    await waitForText(r, 'No systems');
    const f = await press(r, '2', '0/3 files');
    // Both labels start alike for longer than their column: each row keeps its distinctive end.
    expect(selectedLine(f)).toMatch(/^›FAILED\s+↓ Nin\S*.*….*rom 8d8a99fc/);
    expect(f.split('\n').find((l) => l.startsWith(' queued'))).toContain('manual 11aa22bb');
    // The detail lines under the list: the whole reason, wrapped, down to its end.
    expect(f.replace(/\n/g, '')).toContain('`trove upload --verify`)');
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    r.unmount();
  });

  it('says the queue is not available when the services cannot give one', async () => {
    const s = new ScriptedServices();
    const r = render(<App services={s} size={size} />);
    await press(r, '2', 'transfers is not scripted');
    r.unmount();
  });
});

const clashes: MergeClash[] = [
  { id: 'c1', entity: 'release', label: 'SNES › ActRaiser (USA)', field: 'region', base: 'USA', local: 'USA, Canada', cloud: 'North America', defaultSide: 'cloud', chosen: 'cloud' },
  { id: 'c2', entity: 'release', label: 'SNES › Pilotwings (USA)', field: 'name', base: 'Pilotwings (USA)', local: 'Pilotwings (USA) (Rev 1)', cloud: null, defaultSide: 'local', chosen: 'local' },
];

describe('quitting (QA T1)', () => {
  const exited = (r: ReturnType<typeof render>) => r.stdin.listenerCount('readable') === 0;
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 300 && !ok(); i++) await new Promise((res) => setTimeout(res, 10));
    return ok();
  };

  it('q waits for the transfers to stop before exiting, and a second ctrl+c cancels them', async () => {
    const s = new ScriptedServices();
    s.stopWaits = true;
    const r = render(<App services={s} size={size} />);
    await waitForText(r, 'No systems yet');
    await press(r, 'q', 'Quitting: the transfers in flight finish');
    expect(s.calls).toEqual(['stop finish']);
    r.stdin.write('2'); // keys other than quitting ones do nothing now
    await new Promise((res) => setTimeout(res, 100));
    expect(r.lastFrame()).toContain('[1 Browse]');
    expect(exited(r)).toBe(false);
    await press(r, '\x03', 'Quitting: cancelling the downloads in flight');
    expect(s.calls).toEqual(['stop finish', 'stop abort']);
    expect(exited(r)).toBe(false);
    s.transfersStopped();
    expect(await until(() => exited(r))).toBe(true);
  });

  it('a hang-up (the terminal is gone) cancels the downloads in flight and exits once they stopped', async () => {
    const s = new ScriptedServices();
    s.stopWaits = true;
    let signal: ((kind: 'interrupt' | 'hangup') => void) | undefined;
    const r = render(<App services={s} size={size} interrupts={(l) => ((signal = l), () => (signal = undefined))} />);
    await waitForText(r, 'No systems yet');
    signal!('interrupt');
    await waitForText(r, 'Quitting: the transfers in flight finish');
    signal!('hangup');
    signal!('hangup'); // never escalates past cancelling
    await waitForText(r, 'Quitting: cancelling the downloads in flight');
    expect(s.calls).toEqual(['stop finish', 'stop abort']);
    s.transfersStopped();
    expect(await until(() => exited(r))).toBe(true);
  });
});

describe('sync screen and merge viewer', () => {
  it('shows device, base, heads, ahead/behind and local changes; p pushes', async () => {
    const s = new ScriptedServices();
    s.status = {
      device: { id: '0190aaaa-0000', name: 'laptop' }, remote: 'fs:/srv/trove', base: '0190bbbb', ahead: 1, behind: 0,
      heads: [{ id: '0190bbbbcccc', device: 'desktop', createdAt: '2026-01-02T03:04:05Z' }], localChanges: { release: 3, file: 0 }, conflict: false, pendingMerge: false,
    };
    const r = render(<App services={s} size={size} />);
    let f = await press(r, '3', 'Device        laptop');
    expect(f).toContain('Remote        fs:/srv/trove');
    expect(f).toContain('1 ahead, 0 behind');
    expect(f).toContain('Local changes +3 release');
    expect(f).toContain('0190bbbbcccc by desktop');
    f = await press(r, 'p', 'Pushed snapshot 0190ffff');
    r.unmount();
  });

  it('keeps its keys after 3 is pressed while already on Sync: l on a CONFLICT still asks (QA2 F1)', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 1, behind: 1, heads: [], localChanges: { release: 2 }, conflict: true, pendingMerge: false };
    const r = render(<App services={s} size={size} />);
    await press(r, '3', 'CONFLICT');
    // The current section: a no-op, and the screen must stay listening (pressed more than once: the
    // first no-op may not re-render the app at all).
    await pressNoop(r, '3');
    await pressNoop(r, '3');
    await press(r, 'l', 'Settle the conflict — cloud');
    await press(r, KEY.escape);
    await waitFor(r, (f) => !f.includes('Settle the conflict'), 'the prompt to close');
    await pressNoop(r, '3');
    await pressNoop(r, '3');
    await press(r, 'p', 'Pushed snapshot 0190ffff');
    expect(s.calls).toEqual(['push']);
    r.unmount();
  });

  it('wraps the local changes and the conflict line so every table can be read at 60 columns (QA2 F5.2)', async () => {
    const s = new ScriptedServices();
    const localChanges = { release: 48, software_title: 23, system: 3, file_set: 96, file: 120, dat_import: 1, file_sync_log: -2 };
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 1, behind: 1, heads: [], localChanges, conflict: true, pendingMerge: false };
    const r = render(<App services={s} size={{ columns: 60, rows: 24 }} />);
    const f = await press(r, '3', 'Local changes');
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    const body = f.replace(/\s+/g, ' ');
    for (const [table, n] of Object.entries(localChanges)) expect(body).toContain(`${n > 0 ? '+' : ''}${n} ${table}`);
    expect(f).toMatch(/^Local changes \+48 release, \+23 software_title,.*\n {14}\+/m); // continues under the values
    expect(body).toContain('l settles it: cloud, local or merge.');
    r.unmount();
  });

  it('says when another library writes under this device id (a copied library folder)', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 0, behind: 1, heads: [], localChanges: {}, conflict: false, pendingMerge: false, sharedDeviceId: 2 };
    const r = render(<App services={s} size={size} />);
    const f = await press(r, '3', 'Device id shared');
    expect(f).toContain('2 object(s) under this id');
    r.unmount();
  });

  it('shows deletions among the local changes, not "none" (QA T2)', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 1, behind: 0, heads: [], localChanges: { file: -1, release: -1 }, conflict: false, pendingMerge: false };
    const r = render(<App services={s} size={size} />);
    const f = await press(r, '3', 'Device        laptop');
    expect(f).toContain('Local changes -1 file, -1 release');
    r.unmount();
  });

    it('a pull that meets a conflict opens the diff viewer (local → head)', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 1, behind: 1, heads: [], localChanges: { release: 2 }, conflict: false, pendingMerge: false };
    s.pullResult = { outcome: 'conflict', message: 'conflict: the remote moved on' };
    s.report = { from: 'local', to: 'head', changes: [] };
    const r = render(<App services={s} size={size} />);
    await press(r, '3', 'No conflict.');
    await press(r, 'l', '0 change(s) from local to head');
    expect(s.calls).toEqual(['pull']);
    r.unmount();
  });

  it('l on a conflict asks cloud, local or merge and pulls with that resolution; anything else is refused', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 1, behind: 1, heads: [], localChanges: { release: 2 }, conflict: true, pendingMerge: false };
    s.pullResult = { outcome: 'pulled', message: 'Pulled snapshot 0190cccc by desktop' };
    const r = render(<App services={s} size={size} />);
    await press(r, '3', 'CONFLICT');
    await press(r, 'l', 'Settle the conflict — cloud');
    for (const ch of 'both') r.stdin.write(ch);
    await waitForText(r, 'both');
    await press(r, KEY.enter, 'Type cloud, local or merge, not "both"');
    expect(s.calls).toEqual([]);
    await press(r, 'l', 'Settle the conflict — cloud');
    for (const ch of 'cloud') r.stdin.write(ch);
    await waitForText(r, 'or merge: cloud');
    await press(r, KEY.enter, 'Pulled snapshot 0190cccc by desktop');
    expect(s.calls).toEqual(['pull cloud']);
    r.unmount();
  });

  it('m opens the pending merge; l and c pick sides one clash at a time; a applies after asking', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: 'fs:/x', base: 'b', ahead: 1, behind: 1, heads: [], localChanges: { release: 2 }, conflict: true, pendingMerge: true };
    s.merge = { base: '0190base0000', head: '0190head0000', clashes, cleanChanges: 5 };
    const r = render(<App services={s} size={size} />);
    let f = await press(r, '3', 'A merge is pending');
    f = await press(r, 'm', '2 clash(es) between base 0190base0000 and 0190head0000; 5 clean change(s)');
    expect(f).toContain('SNES › ActRaiser (USA) — region');
    expect(f).toMatch(/USA\s+USA, Canada\s+North America/);
    expect(selectedLine(f)).toContain('[C]');
    f = await press(r, 'l', /\[L\] SNES › ActRaiser \(USA\): region\s+picked/);
    expect(s.calls).toContain('resolve c1 local');
    f = await waitForText(r, 'SNES › Pilotwings (USA) — name');
    f = await press(r, 'c', /\[C\] SNES › Pilotwings \(USA\): name\s+picked/);
    f = await press(r, 'a', 'Apply the merge? 5 change(s) merge cleanly; 2 clash(es), 2 resolved against the default');
    expect(s.calls).not.toContain('apply');
    await press(r, 'y', 'Merged and pushed snapshot 0190eeee');
    expect(s.calls).toContain('apply');
    r.unmount();
  });

  it('the diff viewer groups changes and expands one to its fields', async () => {
    const s = new ScriptedServices();
    s.status = { device: { id: 'd', name: 'laptop' }, remote: null, base: null, ahead: 0, behind: 0, heads: [], localChanges: {}, conflict: false, pendingMerge: false };
    s.report = {
      from: 'local', to: 'head',
      changes: [{ entity: 'release', change: 'modified', label: 'SNES › ActRaiser (USA)', fields: [{ field: 'region', before: 'USA', after: 'USA, Canada' }] }],
    };
    const r = render(<App services={s} size={size} />);
    await press(r, '3', 'Device');
    let f = await press(r, 'v', '1 change(s) from local to head');
    expect(f).toContain('release (1)');
    await press(r, 'j');
    f = await press(r, KEY.enter, "region: USA → USA, Canada");
    r.unmount();
  });
});

describe('backups and snapshots', () => {
  it('lists both in two panes, tab moves the focus, enter restores after saying what changes', async () => {
    const s = new ScriptedServices();
    s.counts = { systems: 3, releases: 48, fileSets: 96, files: 100 };
    s.backups = [{ id: '0190back0001', kind: 'backup', createdAt: '2026-01-02T03:04:05Z', device: 'laptop', note: 'before pull', counts: { systems: 3, releases: 40, fileSets: 80, files: 100 } }];
    s.snapshots = [{ id: '0190snap0001', kind: 'snapshot', createdAt: '2026-01-03T10:00:00Z', device: 'desktop', note: 'head', counts: { systems: 2, releases: 30, fileSets: 60, files: 70 } }];
    const r = render(<App services={s} size={size} />);
    let f = await press(r, '4', 'desktop head');
    expect(f).toContain('laptop before pull');
    expect(f).toContain('Backups (tab: other pane)');
    f = await press(r, KEY.tab, 'Snapshots (tab: other pane)');
    f = await press(r, KEY.enter, 'Restore the snapshot 0190snap');
    expect(f).toContain('releases 48 → 30');
    f = await press(r, 'n', 'Cancelled.');
    expect(s.calls).toEqual([]);
    await press(r, KEY.tab, 'Backups (tab: other pane)');
    await press(r, KEY.enter, 'Restore the backup 0190back');
    await press(r, 'y', 'Restored backup 0190back');
    expect(s.calls).toEqual(['restore backup 0190back0001']);
    r.unmount();
  });
});
