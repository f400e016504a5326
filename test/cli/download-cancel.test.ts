// `trove download --cancel` / `download-all --cancel` end to end through the built CLI on a real fs
// remote: the queued rows an interrupted download-all leaves in state.db are forgotten without
// downloading anything or touching the store and collection.db; beside a running download (it
// holds download.lock) the cancel is refused with BUSY; and the NO_SPACE refusal caused by such
// leftovers names the command that forgets them.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { enqueueDownloads } from '../../src/sync/transfer/download-queue.js';
import { DOWNLOAD_LOCK, takeRunnerLock } from '../../src/store/runner-lock.js';
import { cliDevice, dbSha1, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-dl-cancel-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const NAMES = ['Alpha (USA)', 'Beta (USA)', "Gamma's Quest (USA)"];
let n = 0;

/** P adds and uploads three releases (two systems) and pushes; Q, pulled, holds none of their blobs. */
async function fresh(): Promise<CliDevice> {
  const dir = path.join(root, `case${n++}`);
  const remoteDir = path.join(dir, 'remote');
  const p = await cliDevice(dir, 'P', ['fs', `root=${remoteDir}`]);
  const q = await cliDevice(dir, 'Q', ['fs', `root=${remoteDir}`]);
  for (const [i, name] of NAMES.entries()) {
    const file = path.join(dir, `${i}.bin`);
    fs.writeFileSync(file, `content of ${name} `.repeat(100 + i));
    await p.ok(['add', file, '--system', i === 2 ? 'Sys B' : 'Sys A', '--release', name]);
  }
  await p.ok(['upload']);
  await p.ok(['sync', 'push']);
  await q.ok(['sync', 'pull']);
  return q;
}

/** What an interrupted `download-all` leaves: every file queued (Pending), none downloaded. */
function leaveQueued(q: CliDevice): void {
  const db = new Database(path.join(q.dir, 'state.db'));
  const cat = new Database(path.join(q.dir, 'collection.db'), { readonly: true });
  try {
    enqueueDownloads(db, cat.prepare('SELECT sha1, type, size FROM file').all() as { sha1: string; type: string; size: number }[]);
  } finally {
    db.close();
    cat.close();
  }
}

function queued(q: CliDevice): string[] {
  const db = new Database(path.join(q.dir, 'state.db'), { readonly: true });
  try {
    return db.prepare('SELECT sha1 FROM download_queue ORDER BY sha1').pluck().all() as string[];
  } finally {
    db.close();
  }
}

function sha1Of(q: CliDevice, release: string): string {
  const db = new Database(path.join(q.dir, 'collection.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT fsf.file_sha1 FROM file_set_file fsf JOIN file_set fs ON fs.id = fsf.file_set_id JOIN release r ON r.id = fs.release_id WHERE r.name = ?')
      .pluck()
      .get(release) as string;
  } finally {
    db.close();
  }
}

const storeFiles = (q: CliDevice) => fs.readdirSync(path.join(q.dir, 'store'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

let q: CliDevice;
beforeAll(async () => {
  q = await fresh();
});

describe('trove download --cancel', () => {
  it('with nothing queued: says so, exits 0 (--json: a count of 0)', async () => {
    const r = await q.ok(['download', '--cancel']);
    expect(r.stdout).toMatch(/nothing queued to cancel/);
    expect(await q.json(['download', '--cancel', '--json'])).toEqual({ cancelled: 0 });
  });

  it('without a target forgets every queued download and downloads nothing; store and collection.db unchanged', async () => {
    leaveQueued(q);
    expect(queued(q)).toHaveLength(3);
    const before = { db: dbSha1(q), store: storeFiles(q) };
    const r = await q.ok(['download', '--cancel']);
    expect(r.stdout).toMatch(/cancelled 3 queued download\(s\)/);
    expect(queued(q)).toEqual([]);
    expect({ db: dbSha1(q), store: storeFiles(q) }).toEqual(before);
    // A later download fetches only what it names.
    const dl = await q.ok(['download', NAMES[0]!]);
    expect(dl.stdout).toMatch(/downloaded 1 file/);
  });

  it('with a target forgets only that release\'s rows (--json: the count and the target)', async () => {
    leaveQueued(q); // Alpha is here already: enqueue takes it as well, the next run would drop it
    const gamma = sha1Of(q, NAMES[2]!);
    const out = await q.json(['download', NAMES[2]!, '--cancel', '--json']);
    expect(out).toEqual({ cancelled: 1, target: `Sys B › ${NAMES[2]}` });
    expect(queued(q)).not.toContain(gamma);
    expect(queued(q)).toContain(sha1Of(q, NAMES[1]!));
  });

  it('download-all --cancel takes the download-all filters (--system)', async () => {
    leaveQueued(q);
    const r = await q.ok(['download-all', '--cancel', '--system', 'Sys A']);
    expect(r.stdout).toMatch(/Sys A: cancelled 2 queued download\(s\)/);
    expect(queued(q)).toEqual([sha1Of(q, NAMES[2]!)]);
    expect(await q.json(['download-all', '--cancel', '--json'])).toEqual({ cancelled: 1 });
    expect(queued(q)).toEqual([]);
  });

  it('beside a running download (download.lock held) a cancel and a second download exit 7 and change nothing', async () => {
    leaveQueued(q);
    const rows = queued(q);
    const held = takeRunnerLock(q.dir, 'download', DOWNLOAD_LOCK);
    try {
      for (const args of [['download', '--cancel'], ['download-all', '--cancel'], ['download', NAMES[1]!]]) {
        const r = await q.run(args);
        expect(r.code, args.join(' ')).toBe(7);
        expect(r.stderr).toMatch(/another download .* is running/);
        expect(r.stderr).toContain('download.lock');
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(queued(q)).toEqual(rows);
      }
    } finally {
      held.release();
    }
    expect((await q.ok(['download', '--cancel'])).stdout).toMatch(/cancelled 3 queued/);
  });

  it('the NO_SPACE refusal caused by leftovers names `trove download --cancel` and the command to run again', async () => {
    const d = await fresh();
    leaveQueued(d);
    // The leftovers need more room than any disk has: the catalogue's recorded size of Beta, 1 PiB.
    const cat = new Database(path.join(d.dir, 'collection.db'));
    cat.prepare('UPDATE file_sync_log SET stored_bytes = ? WHERE file_sha1 = ?').run(2 ** 50, sha1Of(d, NAMES[1]!));
    cat.close();
    const r = await d.run(['download', NAMES[2]!]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('trove download --cancel');
    expect(r.stderr).toContain(`trove download 'Gamma'\\''s Quest (USA)'`);
    await d.ok(['download', '--cancel']);
    expect((await d.ok(['download', NAMES[2]!])).stdout).toMatch(/downloaded 1 file/);
  });

  it('without a target and without --cancel is a usage error', async () => {
    const r = await q.run(['download']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name a release or file set/);
  });
});
