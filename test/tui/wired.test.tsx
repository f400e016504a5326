// The screens against the REAL services (StoreServices) on real libraries sharing one fs remote: the
// transfer queue (download, pause, a failure with its reason, retry, drop), sync (push, pull with a
// resolution, the head diff), backups and snapshots (diff, restore), and a pending merge.
import fs from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCollection } from '../../fixtures/collection.js';
import { ensureDemo } from '../../src/cli/demo.js';
import { addFiles } from '../../src/store/add-files.js';
import { blobKey } from '../../src/store/blob/blob-key.js';
import { Library } from '../../src/store/library.js';
import { listReleases } from '../../src/store/repo/catalog-queries.js';
import { startMerge } from '../../src/sync/merge/merge-session.js';
import { OpendalRemote } from '../../src/sync/remote/opendal-remote.js';
import type { Remote } from '../../src/sync/remote/remote.js';
import { parseRemoteArgs, saveRemoteConfig } from '../../src/sync/remote/remote-config.js';
import { planDrop } from '../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../src/sync/transfer/drop-worker.js';
import { CONCURRENCY_SETTING, configuredConcurrency } from '../../src/sync/transfer/transfer-options.js';
import { targetFiles } from '../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../src/sync/transfer/upload-worker.js';
import { App } from '../../src/tui/App.js';
import { StoreServices } from '../../src/tui/store-services.js';
import { tempDir } from '../helpers/cli.js';
import { frame, KEY, press, selectedLine, waitFor, waitForText, type Rendered } from './helpers.js';

const size = { columns: 110, rows: 26 };
const dir = tempDir('trove-tui-wired-');
const remoteDir = path.join(dir, 'remote');
const libA = path.join(dir, 'a');
const libB = path.join(dir, 'b');
let firstRelease: { id: string; name: string };

function useRemote(lib: Library): OpendalRemote {
  fs.mkdirSync(remoteDir, { recursive: true }); // an fs remote's root must exist
  const cfg = parseRemoteArgs('fs', [`root=${remoteDir}`]);
  saveRemoteConfig(lib, cfg);
  return new OpendalRemote(cfg);
}

beforeAll(async () => {
  const releases = await generateCollection(path.join(dir, 'src'), { seed: 'wired', systems: 1, titlesPerSystem: 3, regionsPerTitle: 1 });
  const { library } = Library.init(libA, { deviceName: 'device A' });
  try {
    for (const r of releases) {
      for (const s of r.fileSets) {
        await addFiles(library, { paths: s.files.map((f) => f.path), system: r.system, release: r.release, title: r.title, region: r.region, type: s.type, fileSet: s.name });
      }
    }
    const remote = useRemote(library);
    await runUploads(library, remote, {});
    const first = listReleases(library.db).sort((a, b) => a.name.localeCompare(b.name))[0]!;
    firstRelease = { id: first.id, name: first.name };
    await runDrop(library, remote, planDrop(targetFiles(library.db, { releaseId: first.id })));
  } finally {
    library.close();
  }
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A phrase that may wrap across lines (the confirmation bar wraps). */
function words(text: string): RegExp {
  return new RegExp(text.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));
}

const opened: { r: Rendered; services: StoreServices }[] = [];

function open(libDir: string): { r: Rendered; services: StoreServices } {
  const services = new StoreServices(Library.open(libDir));
  const x = { r: render(<App services={services} size={size} />), services };
  opened.push(x);
  return x;
}

function close(x: { r: Rendered; services: StoreServices }): void {
  x.r.unmount();
  x.services.close();
}

// A failed test must not leave connections open that lock the next test's database swap.
afterEach(() => {
  for (const x of opened.splice(0)) close(x);
});

describe('transfers on the real queue', () => {
  it('downloads a CloudOnly release: paused items wait, a missing object fails with its reason, r retries it, the badge turns local, x drops it again', async () => {
    const lib = Library.open(libA);
    const files = targetFiles(lib.db, { releaseId: firstRelease.id });
    lib.close();
    expect(files.every((f) => !f.isLocal && f.isCloud)).toBe(true);
    // One remote object goes missing for a while: its download fails with a reason.
    const missing = path.join(remoteDir, blobKey(files[0]!.type, files[0]!.sha1));
    fs.renameSync(missing, `${missing}.away`);

    const x = open(libA);
    await x.services.setTransfersPaused(true);
    await waitForText(x.r, 'Nintendo');
    x.r.stdin.write(KEY.enter);
    await waitForText(x.r, /›\S.*\scloud/);
    await press(x.r, 'd', `${firstRelease.name} for download`);
    let f = await press(x.r, '2', 'PAUSED');
    expect(f).toMatch(/paused\s+↓ /);
    expect(f).toContain(`0/${files.length} files`);
    await press(x.r, ' ', 'Transfers resumed');
    f = await waitForText(x.r, `${files.length}/${files.length} files`);
    expect(f).toContain('1 failed');
    expect(f).toMatch(/FAILED\s+↓ .*download \w+\/[0-9a-f]{2}\/[0-9a-f]+/);
    const failed = (await x.services.transfers()).items.filter((i) => i.state === 'failed');
    expect(failed.map((i) => i.error)).toEqual([expect.stringContaining(`not found on fs:${remoteDir}`)]);

    fs.renameSync(`${missing}.away`, missing);
    for (let i = 0; i < files.length && !selectedLine(f)?.includes('FAILED'); i++) f = await press(x.r, 'j');
    await press(x.r, 'r', 'Retrying');
    f = await waitFor(x.r, (t) => !t.includes('FAILED') && t.includes(`${files.length}/${files.length} files`), 'every item done');
    expect(f.match(/done\s+↓ /g)?.length).toBe(files.length);

    // The badge refreshed when the downloads finished.
    await press(x.r, '1');
    f = await waitForText(x.r, /›\S.*local\+cloud/);
    close(x);

    const y = open(libA);
    await waitForText(y.r, 'Nintendo');
    y.r.stdin.write(KEY.enter);
    await waitForText(y.r, /›\S.*local\+cloud/);
    await press(y.r, 'x', words(`${files.length} of ${files.length} local file(s) have a verified copy on the remote and will be freed`));
    await press(y.r, 'y', `Dropped ${files.length} local file(s)`);
    await waitForText(y.r, /›\S.*\scloud\s*$/m);
  });

  it('uploads with u what the remote lacks: paused items wait, then each goes up and the badge turns local+cloud', async () => {
    const libC = path.join(dir, 'c');
    const remoteC = path.join(dir, 'remote-c');
    const { library } = Library.init(libC, { deviceName: 'device C' });
    const src = path.join(dir, 'c-src');
    fs.mkdirSync(src, { recursive: true });
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(src, `part${i}.bin`), Buffer.alloc(20_000 + i, 40 + i));
    await addFiles(library, { paths: [src], system: 'Sega - Mega Drive - Genesis', release: 'Upload Me (Europe)', title: 'Upload Me', region: 'Europe', type: 'rom', fileSet: 'rom' });
    fs.mkdirSync(remoteC, { recursive: true }); // an fs remote's root must exist
    saveRemoteConfig(library, parseRemoteArgs('fs', [`root=${remoteC}`]));
    library.close();

    const x = open(libC);
    await waitForText(x.r, 'Sega');
    x.r.stdin.write(KEY.enter);
    await waitForText(x.r, /›Upload Me \(Europe\).*\slocal\s*$/m);
    await press(x.r, '2', 'Nothing queued');
    await press(x.r, ' ', 'Transfers paused');
    let f = await press(x.r, 'u', 'Uploading 3 file(s)');
    f = await waitForText(x.r, /paused\s+↑ Sega - Mega Drive - Genesis › Upload Me \(Europe\) › part0\.bin/);
    expect(f).toContain('0/3 files');
    await press(x.r, ' ', 'Transfers resumed');
    f = await waitForText(x.r, '3/3 files');
    expect(f.match(/done\s+↑ /g)?.length).toBe(3);
    expect(f).not.toContain('FAILED');
    await press(x.r, 'u', 'Nothing to upload');
    await press(x.r, '1');
    await waitForText(x.r, /›Upload Me \(Europe\).*local\+cloud/);
    close(x);

    // The objects are on the remote, verified by the same decoder downloads use, and the log says so.
    const lib = Library.open(libC);
    const files = targetFiles(lib.db, {});
    expect(files.length).toBe(3);
    expect(files.every((t) => t.isLocal && t.isCloud)).toBe(true);
    for (const t of files) expect(fs.existsSync(path.join(remoteC, blobKey(t.type, t.sha1)))).toBe(true);
    lib.close();
  });

  it('the concurrency setting edited in the TUI is the one the transfer workers read', async () => {
    const x = open(libA);
    await x.services.setConcurrency(3);
    expect((await x.services.settings()).concurrency).toBe(3);
    close(x);
    const lib = Library.open(libA);
    expect(lib.getSetting(CONCURRENCY_SETTING)).toBe('3');
    expect(configuredConcurrency(lib)).toBe(3);
    lib.close();
  });
});

describe('sync, backups and snapshots between two libraries on one remote', () => {
  it('A pushes; B (changed locally) sees the conflict, settles it with cloud, and lists the snapshot and the backup the pull took', async () => {
    const a = open(libA);
    let f = await press(a.r, '3', 'Device        device A');
    expect(f).toContain('Heads         none');
    await press(a.r, 'p', /Pushed snapshot [0-9a-f]{8}-[0-9a-f]{4} to/);
    f = await waitForText(a.r, /Heads\s+[0-9a-f]{8}-[0-9a-f]{4} by device A/);
    close(a);

    // B has a catalogue of its own (one release A does not have): pulling A's head is a conflict.
    const { library: lb } = Library.init(libB, { deviceName: 'device B' });
    const own = path.join(dir, 'own.bin');
    fs.writeFileSync(own, Buffer.alloc(4096, 7));
    await addFiles(lb, { paths: [own], system: 'Sega - Mega Drive - Genesis', release: 'Only On B (USA)', title: 'Only On B', region: 'USA', type: 'rom', fileSet: 'rom' });
    useRemote(lb);
    lb.close();
    const b = open(libB);
    f = await press(b.r, '3', /Heads\s+[0-9a-f]{8}-[0-9a-f]{4} by device A/);
    expect(f).toContain('CONFLICT');
    // The diff viewer shows local → head: B's own release is what the head lacks.
    f = await press(b.r, 'v', 'Only On B (USA)');
    await press(b.r, 'q', 'Device        device B');
    await press(b.r, 'l', 'Settle the conflict');
    for (const ch of 'cloud') b.r.stdin.write(ch);
    await waitForText(b.r, 'or merge: cloud');
    f = await press(b.r, KEY.enter, /Pulled snapshot [0-9a-f]{8}-[0-9a-f]{4} by device A; backup [0-9a-f]{8}-[0-9a-f]{4} holds the previous database/);
    f = await waitForText(b.r, 'No conflict.');

    f = await press(b.r, '4', 'pull --resolve…');
    expect(f).toMatch(/device B pull --resolve…\s+1/);
    await press(b.r, KEY.tab, 'Snapshots (tab: other pane)');
    f = await waitForText(b.r, /device A\s+head, base\s+3/);
    close(b);
  });

  it('diffs B against its backup (v) and restores the backup after saying how the counts change', async () => {
    const b = open(libB);
    let f = await press(b.r, '4', 'pull --resolve…');
    f = await press(b.r, 'v', /\d+ change\(s\) from local/);
    expect(f).toMatch(/release \(4\)/); // 3 of A's not in the backup, B's own one only in it
    expect(f).toMatch(/\+ \S/);
    await press(b.r, 'q', 'Backups (tab: other pane)');
    await waitForText(b.r, /›\S.*pull --resolve/); // the list reloads when the screen comes back
    f = await press(b.r, KEY.enter, /Restore the backup [0-9a-f]{8}-[0-9a-f]{4}/);
    expect(f).toMatch(words('releases 3 → 1'));
    await press(b.r, 'y', /Restored backup [0-9a-f]{8}-[0-9a-f]{4} \(pull --resolve cloud/);
    await press(b.r, '1', 'Sega - Mega Drive - Genesis');
    close(b);
  });

  it('settles a conflict with merge from the Sync screen: the merge viewer opens, nothing changes until it is applied', async () => {
    // A publishes a new release; B (its own catalogue restored from the backup) has local changes: conflict.
    const la = Library.open(libA);
    const extra = path.join(dir, 'extra.bin');
    fs.writeFileSync(extra, Buffer.alloc(2048, 9));
    await addFiles(la, { paths: [extra], system: 'Sega - Mega Drive - Genesis', release: 'Pushed By A (Japan)', title: 'Pushed By A', region: 'Japan', type: 'rom', fileSet: 'rom' });
    la.close();
    const a = open(libA);
    await press(a.r, '3', 'Device        device A');
    await press(a.r, 'p', /Pushed snapshot [0-9a-f]{8}-[0-9a-f]{4} to/);
    close(a);

    const names = () => {
      const lib = Library.open(libB);
      try {
        return listReleases(lib.db).map((r) => r.name).sort();
      } finally {
        lib.close();
      }
    };
    const before = names();
    expect(before).toEqual(['Only On B (USA)']);
    const b = open(libB);
    let f = await press(b.r, '3', /CONFLICT.*cloud, local or merge/);
    await press(b.r, 'l', 'Settle the conflict');
    for (const ch of 'merge') b.r.stdin.write(ch);
    await waitForText(b.r, 'or merge: merge');
    f = await press(b.r, KEY.enter, /clash\(es\) between base/);
    expect(f).toMatch(/Merge planned: \d+ change\(s\), \d+ clash\(es\) to settle/);
    expect(names()).toEqual(before); // planned, not applied
    f = await press(b.r, 'a', 'Apply the merge?');
    // QA T3: applying settles the conflict with the remote, so it is pushed at once (as `trove merge
    // --apply`): the Sync screen then shows no conflict, not advice to take the cloud side.
    f = await press(b.r, 'y', /Merged: \d+ change\(s\) applied[\s\S]*pushed\s+as\s+snapshot\s+[0-9a-f]{8}-[0-9a-f]{4}/);
    await press(b.r, KEY.escape, 'Device        device B');
    f = await press(b.r, 'r', 'No conflict.');
    expect(f).not.toContain('CONFLICT');
    expect(f).toMatch(/Ahead\/behind  0 ahead, 0 behind/);
    close(b);
    expect(names()).toContain('Pushed By A (Japan)');
    expect(names()).toContain('Only On B (USA)');
  });

  it('shows a pending merge from state.db, records l/c choices, and applies it', async () => {
    // Base: A's catalogue; remote: A with one region changed; local (B): the same region changed differently.
    fs.copyFileSync(path.join(libA, 'collection.db'), path.join(libB, 'collection.db'));
    for (const s of ['-wal', '-shm']) fs.rmSync(path.join(libB, `collection.db${s}`), { force: true });
    const base = path.join(dir, 'base.db');
    const remote = path.join(dir, 'remote.db');
    fs.copyFileSync(path.join(libB, 'collection.db'), base);
    fs.copyFileSync(path.join(libB, 'collection.db'), remote);
    const local = Library.open(libB);
    local.db.prepare("UPDATE release SET region = 'Local Region', updated_at = '2098-01-01T00:00:00.000Z' WHERE id = ?").run(firstRelease.id);
    local.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(remote);
    db.prepare("UPDATE release SET region = 'Remote Region', updated_at = '2099-01-01T00:00:00.000Z' WHERE id = ?").run(firstRelease.id);
    db.close();
    const lib = Library.open(libB);
    const started = await startMerge(lib.paths, lib.state, { basePath: base, remotePath: remote, baseLabel: 'base.db', remoteLabel: 'remote.db', localDevice: lib.device().id, remoteDevice: 'device A' });
    lib.close();
    expect(started.conflicts.length).toBe(1);

    const b = open(libB);
    let f = await press(b.r, '3', 'A merge is pending');
    f = await press(b.r, 'm', '1 clash(es) between base base.db and remote.db');
    expect(f).toMatch(/Local Region\s+Remote Region/);
    expect(selectedLine(f)).toContain('[C]');
    f = await press(b.r, 'l', /\[L\] .*picked/);
    f = await press(b.r, 'a', words('Apply the merge? 1 clash(es), 1 resolved against the default'));
    await press(b.r, 'y', /Merged: \d+ change\(s\) applied, 1 clash\(es\) resolved/);
    close(b);
    const after = Library.open(libB);
    expect((after.db.prepare('SELECT region FROM release WHERE id = ?').get(firstRelease.id) as { region: string }).region).toBe('Local Region');
    after.close();
  });
});

/** A remote whose reads wait until release(); `held` resolves when the first read waits. */
function holdReads(inner: Remote): { remote: Remote; release: () => void; held: Promise<void>; reads: string[] } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const held = new Promise<void>((r) => (reached = r));
  const reads: string[] = [];
  const remote = Object.create(inner) as Remote;
  remote.read = (key, opts) =>
    (async function* () {
      reads.push(key);
      reached();
      await gate;
      yield* inner.read(key, opts);
    })();
  return { remote, release, held, reads };
}

/** Ink stops reading stdin when the app exits. */
const exited = (r: Rendered) => r.stdin.listenerCount('readable') === 0;

describe('quitting during a download (QA T1)', () => {
  const libD = path.join(dir, 'd');
  const remoteD = path.join(dir, 'remote-d');
  let storeFiles: () => string[];

  beforeAll(async () => {
    const { library } = Library.init(libD, { deviceName: 'device D' });
    const src = path.join(dir, 'd-src');
    fs.mkdirSync(src, { recursive: true });
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(src, `disc${i}.bin`), Buffer.alloc(30_000 + i, 60 + i));
    await addFiles(library, { paths: [src], system: 'Sony - PlayStation', release: 'Quit Test (USA)', title: 'Quit Test', region: 'USA', type: 'rom', fileSet: 'rom' });
    fs.mkdirSync(remoteD, { recursive: true }); // an fs remote's root must exist
    const cfg = parseRemoteArgs('fs', [`root=${remoteD}`]);
    saveRemoteConfig(library, cfg);
    library.setSetting(CONCURRENCY_SETTING, '1');
    await runUploads(library, new OpendalRemote(cfg), {});
    library.close();
    storeFiles = () => (fs.readdirSync(path.join(libD, 'store'), { recursive: true }) as string[]).filter((p) => p.endsWith('.zst'));
  });

  async function dropAll(): Promise<void> {
    const lib = Library.open(libD);
    await runDrop(lib, new OpendalRemote(parseRemoteArgs('fs', [`root=${remoteD}`])), planDrop(targetFiles(lib.db, {})));
    lib.close();
    expect(storeFiles()).toEqual([]);
  }

  /** Open the TUI with held reads and start downloading the release. */
  async function startDownload() {
    const x = open(libD);
    const held = holdReads(new OpendalRemote(parseRemoteArgs('fs', [`root=${remoteD}`])));
    (x.services as unknown as { remoteCache: Remote }).remoteCache = held.remote;
    await waitForText(x.r, 'Sony');
    x.r.stdin.write(KEY.enter);
    await waitForText(x.r, /›Quit Test \(USA\).*\scloud/);
    await press(x.r, 'd', 'for download');
    await held.held;
    return { x, held };
  }

  function recorded(): { local: string[]; queue: string[] } {
    const lib = Library.open(libD);
    const local = lib.state.prepare('SELECT sha1 FROM local_blob').pluck().all() as string[];
    const queue = lib.state.prepare('SELECT state FROM download_queue').pluck().all() as string[];
    lib.close();
    return { local, queue };
  }

  it('ctrl+c says it is finishing, waits for the download in flight, records it, and leaves the rest queued', async () => {
    await dropAll();
    const { x, held } = await startDownload();
    // QA T9: taken by the worker but no byte moved yet (concurrency 1, the read is held): not `active`.
    const before = await x.services.transfers();
    expect(before.items.filter((i) => i.state === 'active')).toEqual([]);
    await press(x.r, '\x03', 'Quitting: the transfers in flight finish');
    await new Promise((r) => setTimeout(r, 100));
    expect(exited(x.r)).toBe(false); // still waiting for the held download
    held.release();
    for (let i = 0; i < 500 && !exited(x.r); i++) await new Promise((r) => setTimeout(r, 10));
    expect(exited(x.r)).toBe(true);
    close(opened.pop()!); // as `trove` does after the UI returns
    await new Promise((r) => setTimeout(r, 300)); // anything still running would land now
    const { local, queue } = recorded();
    expect(held.reads).toHaveLength(1);
    expect(storeFiles()).toHaveLength(1);
    expect(local).toHaveLength(1);
    expect(storeFiles()[0]).toContain(local[0]);
    expect(queue).toEqual(['Pending', 'Pending', 'Pending', 'Pending']);
  });

  it('ctrl+c twice cancels the download in flight: nothing half-done in the store, everything still queued', async () => {
    await dropAll();
    const { x, held } = await startDownload();
    await press(x.r, '\x03', 'Quitting: the transfers in flight finish');
    await press(x.r, '\x03', 'Quitting: cancelling the downloads in flight');
    held.release();
    for (let i = 0; i < 500 && !exited(x.r); i++) await new Promise((r) => setTimeout(r, 10));
    expect(exited(x.r)).toBe(true);
    close(opened.pop()!);
    await new Promise((r) => setTimeout(r, 300));
    expect(storeFiles()).toEqual([]);
    expect(fs.readdirSync(path.join(libD, 'tmp'))).toEqual([]);
    expect(recorded()).toEqual({ local: [], queue: ['Pending', 'Pending', 'Pending', 'Pending', 'Pending'] });
  });
});

describe('d on a release whose file is nowhere (QA2 F5.1)', () => {
  it('says at once that it is not available anywhere, queues nothing, and the Transfers screen counts no failure (as trove status)', async () => {
    const demo = path.join(dir, 'demo');
    await ensureDemo(demo);
    const lib = Library.open(demo);
    const lost = listReleases(lib.db).find((r) => targetFiles(lib.db, { releaseId: r.id }).some((f) => !f.isLocal && !f.isCloud))!;
    const system = lost.system;
    lib.close();
    const x = open(demo);
    await waitForText(x.r, system);
    for (let i = 0; i < 5 && !selectedLine(frame(x.r))?.includes(system); i++) await press(x.r, 'j');
    await press(x.r, KEY.enter, /of \d+ · filter: all/);
    await press(x.r, 'f', 'filter: local');
    await press(x.r, 'f', 'filter: cloud only');
    await press(x.r, 'f', 'filter: missing');
    await waitFor(x.r, (t) => selectedLine(t)?.includes(lost.name) ?? false, `${lost.name} selected`);
    const f = await press(x.r, 'd', words('not available anywhere')); // the message wraps
    expect(f).toMatch(words(`Nothing to download from: ${system} › ${lost.name} has 1 file(s) not available anywhere`));
    expect(f).not.toContain('Queued');
    const t = await press(x.r, '2', 'Nothing queued');
    expect(t).toContain('0/0 files');
    expect(t).not.toContain('failed');
    expect(t).not.toContain('FAILED');
    const state = Library.open(demo);
    try {
      expect(state.state.prepare('SELECT count(*) AS n FROM download_queue').get()).toEqual({ n: 0 });
    } finally {
      state.close();
    }
  }, 60_000);
});
