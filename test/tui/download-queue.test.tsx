// The TUI's download key plans as `trove download` does (planDownloadsChecked: files the log does
// not call uploaded are looked up on the remote), says why files are unavailable in the CLI's words,
// and the Transfers screen's `c` cancels the queued downloads (after a confirmation) with the same
// code as `trove download --cancel`. Real services (StoreServices), a real library, an fs remote.
import fs from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addFiles } from '../../src/store/add-files.js';
import { blobKey } from '../../src/store/blob/blob-key.js';
import { Library } from '../../src/store/library.js';
import { listReleases } from '../../src/store/repo/catalog-queries.js';
import { OpendalRemote } from '../../src/sync/remote/opendal-remote.js';
import { parseRemoteArgs, saveRemoteConfig } from '../../src/sync/remote/remote-config.js';
import { planDrop } from '../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../src/sync/transfer/drop-worker.js';
import { targetFiles } from '../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../src/sync/transfer/upload-worker.js';
import { App } from '../../src/tui/App.js';
import { StoreServices } from '../../src/tui/store-services.js';
import { tempDir } from '../helpers/cli.js';
import { frame, KEY, press, selectedLine, waitFor, waitForText, type Rendered } from './helpers.js';

const size = { columns: 110, rows: 26 };
const dir = tempDir('trove-tui-dlq-');
const libDir = path.join(dir, 'lib');
const remoteDir = path.join(dir, 'remote');
const NAMES = ['A Probe (USA)', 'B Lost (USA)', 'C Queue (USA)'];
const SYSTEM = 'Sys Q';

function words(text: string): RegExp {
  return new RegExp(text.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));
}

function sha1Of(lib: Library, name: string): { sha1: string; type: string } {
  const r = listReleases(lib.db).find((x) => x.name === name)!;
  return targetFiles(lib.db, { releaseId: r.id })[0]!;
}

beforeAll(async () => {
  const { library } = Library.init(libDir, { deviceName: 'device Q' });
  try {
    for (const [i, name] of NAMES.entries()) {
      const file = path.join(dir, `${i}.rom`);
      fs.writeFileSync(file, `the content of ${name} `.repeat(200 + i));
      await addFiles(library, { paths: [file], system: SYSTEM, release: name, type: 'rom' });
    }
    fs.mkdirSync(remoteDir, { recursive: true });
    const cfg = parseRemoteArgs('fs', [`root=${remoteDir}`]);
    saveRemoteConfig(library, cfg);
    const remote = new OpendalRemote(cfg);
    await runUploads(library, remote, {});
    await runDrop(library, remote, planDrop(targetFiles(library.db, {})));
    // This device's log is older than the remote: as far as it knows, A and B are still waiting for
    // the device that holds them to upload them. A was uploaded since (it is on the remote); B not.
    const stale = library.db.prepare(`UPDATE file_sync_log SET state = 'UploadPending' WHERE file_sha1 = ?`);
    for (const name of NAMES.slice(0, 2)) stale.run(sha1Of(library, name).sha1);
    const b = sha1Of(library, NAMES[1]!);
    fs.rmSync(path.join(remoteDir, blobKey(b.type, b.sha1)));
  } finally {
    library.close();
  }
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const opened: { r: Rendered; services: StoreServices }[] = [];
afterEach(() => {
  for (const x of opened.splice(0)) {
    x.r.unmount();
    x.services.close();
  }
});

async function openAt(name: string): Promise<{ r: Rendered; services: StoreServices }> {
  const services = new StoreServices(Library.open(libDir));
  const x = { r: render(<App services={services} size={size} />), services };
  opened.push(x);
  await waitForText(x.r, SYSTEM);
  await press(x.r, KEY.enter, /of \d+ · filter: all/);
  x.r.stdin.write('g'); // the browser remembers the row of an earlier test's visit: start at the top
  await waitFor(x.r, (t) => selectedLine(t)?.includes(NAMES[0]!) ?? false, 'the first row selected');
  for (let i = 0; i < 5 && !selectedLine(frame(x.r))?.includes(name); i++) await press(x.r, 'j');
  await waitFor(x.r, (t) => selectedLine(t)?.includes(name) ?? false, `${name} selected`);
  return x;
}

function state(): { queue: number; local: string[] } {
  const lib = Library.open(libDir);
  try {
    return {
      queue: lib.state.prepare('SELECT count(*) FROM download_queue').pluck().get() as number,
      local: NAMES.filter((n) => targetFiles(lib.db, { releaseId: listReleases(lib.db).find((r) => r.name === n)!.id })[0]!.isLocal),
    };
  } finally {
    lib.close();
  }
}

describe('d plans as `trove download` does', () => {
  it('a file the stale log calls not uploaded yet but the remote holds is asked about, queued and downloaded', async () => {
    const x = await openAt(NAMES[0]!);
    const f = await press(x.r, 'd', words(`Queued 1 file(s) of ${SYSTEM} › ${NAMES[0]} for download`));
    expect(f).not.toContain('not available anywhere');
    await waitFor(x.r, () => state().local.includes(NAMES[0]!), 'A downloaded', 15_000);
    expect(state().queue).toBe(0);
  }, 60_000);

  it('a file nowhere is not queued, and the message gives the reason in the CLI\'s words', async () => {
    const x = await openAt(NAMES[1]!);
    const f = await press(x.r, 'd', words('not available anywhere'));
    expect(f).toMatch(words(`Nothing to download from: ${SYSTEM} › ${NAMES[1]} has 1 file(s) not available anywhere (neither on this device nor on the remote: not uploaded yet by the device that holds them)`));
    expect(state().queue).toBe(0);
  }, 60_000);
});

describe('c on Transfers cancels the queued downloads', () => {
  it('asks first; n keeps the queue; y empties it (as `trove download --cancel`), downloads nothing, and the screen lists nothing', async () => {
    const x = await openAt(NAMES[2]!);
    await x.services.setTransfersPaused(true);
    await press(x.r, 'd', words(`Queued 1 file(s) of ${SYSTEM} › ${NAMES[2]} for download`));
    let f = await press(x.r, '2', 'PAUSED');
    expect(f).toMatch(/paused\s+↓ /);
    expect(f).toContain('c cancel queued');
    expect(state().queue).toBe(1);
    await press(x.r, 'c', words('Cancel the queued downloads?'));
    await press(x.r, 'n');
    expect(state().queue).toBe(1);
    await press(x.r, 'c', words('Cancel the queued downloads?'));
    f = await press(x.r, 'y', 'Cancelled 1 queued download(s)');
    expect(state()).toEqual({ queue: 0, local: [NAMES[0]] });
    f = await waitForText(x.r, 'Nothing queued');
    expect(f).not.toMatch(/paused\s+↓ /);
    // A second cancel finds nothing.
    await press(x.r, 'c', words('Cancel the queued downloads?'));
    await press(x.r, 'y', 'Nothing queued to cancel');
  }, 60_000);
});
