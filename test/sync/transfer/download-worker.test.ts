// Downloads against the real fs backend: verified before the final name, resumable, never a bad blob.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { verifyStore } from '../../../src/store/verify.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { planDownloads } from '../../../src/sync/transfer/download-plan.js';
import { enqueueDownloads, queuedDownloads } from '../../../src/sync/transfer/download-queue.js';
import { downloadBlob, removeStaleDownloadTemps, runDownloads } from '../../../src/sync/transfer/download-worker.js';
import { planDrop } from '../../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../../src/sync/transfer/drop-worker.js';
import { targetFiles } from '../../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { FaultyRemote } from './faulty-remote.js';
import { libraryWithFiles, type Fixture } from './library-fixture.js';

let fx: Fixture;
afterEach(() => fx?.cleanup());
const noSleep = { sleep: async () => undefined, random: () => 0 };

/** Upload everything, then drop every local copy: the library is all CloudOnly. */
async function cloudOnly(): Promise<{ remote: OpendalRemote }> {
  fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 2 });
  const remote = new OpendalRemote({ scheme: 'fs', options: { root: path.join(fx.root, 'remote') } });
  await runUploads(fx.lib, remote, noSleep);
  const drop = await runDrop(fx.lib, remote, planDrop(targetFiles(fx.lib.db, {})));
  expect(drop.kept).toEqual([]);
  return { remote };
}

function queueAll(): string[] {
  const plan = planDownloads(targetFiles(fx.lib.db, {}));
  enqueueDownloads(fx.lib.state, plan.fetch);
  return plan.fetch.map((f) => f.sha1);
}

function storeFiles(): string[] {
  return fs.readdirSync(fx.lib.paths.storeDir, { recursive: true }).map(String).filter((f) => f.endsWith('.zst'));
}

describe('runDownloads', () => {
  it('downloads every queued blob, verified, and empties the queue', async () => {
    const { remote } = await cloudOnly();
    expect(storeFiles()).toEqual([]);
    const wanted = queueAll();
    const report = await runDownloads(fx.lib, remote, noSleep);
    expect(report.downloaded).toBe(wanted.length);
    expect(queuedDownloads(fx.lib.state)).toEqual([]);
    const v = await verifyStore(fx.lib);
    expect(v.bad).toEqual([]);
    expect(v.checked).toBe(wanted.length);
    expect(fs.readdirSync(fx.lib.paths.tmpDir)).toEqual([]);
  });

  it('reports an item done only once the catalogue records it as local (listeners can re-read it)', async () => {
    const { remote } = await cloudOnly();
    const wanted = queueAll();
    const isLocal = fx.lib.state.prepare('SELECT 1 FROM local_blob WHERE sha1 = ?').pluck();
    const localAtDone: boolean[] = [];
    const report = await runDownloads(fx.lib, remote, {
      ...noSleep,
      onProgress: (e) => {
        if (e.type === 'item' && e.outcome === 'done') localAtDone.push(isLocal.get(e.sha1) === 1);
      },
    });
    expect(report.downloaded).toBe(wanted.length);
    expect(localAtDone).toEqual(wanted.map(() => true));
  });

  it('refuses a remote blob with one flipped byte: CHECKSUM_MISMATCH naming the sha1, nothing at the final path, nothing left in tmp', async () => {
    const { remote } = await cloudOnly();
    const wanted = queueAll();
    const row = targetFiles(fx.lib.db, {}).find((f) => f.sha1 === wanted[0])!;
    const key = blobKey(row.type, row.sha1);
    // Flip a byte inside a compressed block's literal data: the stream still parses, the content differs.
    const bytes = Buffer.from(await remote.readAll(key));
    bytes[bytes.length - 8] ^= 0x01;
    await remote.write(key, bytes);
    const report = await runDownloads(fx.lib, remote, noSleep);
    const failure = report.failed.find((f) => f.sha1 === row.sha1)!;
    expect(['CHECKSUM_MISMATCH', 'CORRUPT_BLOB']).toContain(failure.code);
    expect(failure.message).toContain(row.sha1);
    expect(fs.existsSync(blobPath(fx.lib.paths.storeDir, row.type, row.sha1))).toBe(false);
    expect(fs.readdirSync(fx.lib.paths.tmpDir)).toEqual([]);
    expect(report.downloaded).toBe(wanted.length - 1);
    expect(queuedDownloads(fx.lib.state, 'Failed').map((q) => q.sha1)).toEqual([row.sha1]);
  });

  it('flipping a byte of the uncompressed content is caught by the SHA1 check (CHECKSUM_MISMATCH)', async () => {
    const { remote } = await cloudOnly();
    const wanted = queueAll();
    const row = targetFiles(fx.lib.db, {}).find((f) => f.sha1 === wanted[0])!;
    const key = blobKey(row.type, row.sha1);
    // Re-encode the object as one raw (uncompressed) zstd block with one content byte flipped.
    const { compress, decompress } = await import('@mongodb-js/zstd');
    const plain = Buffer.from(await decompress(await remote.readAll(key)));
    plain[0] ^= 0x01;
    await remote.write(key, await compress(plain));
    const report = await runDownloads(fx.lib, remote, noSleep);
    const failure = report.failed.find((f) => f.sha1 === row.sha1)!;
    expect(failure.code).toBe('CHECKSUM_MISMATCH');
    expect(failure.message).toContain(`expected sha1 ${row.sha1}`);
    expect(fs.existsSync(blobPath(fx.lib.paths.storeDir, row.type, row.sha1))).toBe(false);
  });

  it('an HTML error page returned instead of the object never lands in the store', async () => {
    const { remote: inner } = await cloudOnly();
    const remote = new FaultyRemote(inner);
    remote.readBody = () => Buffer.from('<html><body><h1>502 Bad Gateway</h1></body></html>');
    queueAll();
    const report = await runDownloads(fx.lib, remote, noSleep);
    expect(report.downloaded).toBe(0);
    expect(report.failed.every((f) => f.code === 'CORRUPT_BLOB')).toBe(true);
    expect(storeFiles()).toEqual([]);
    expect(fs.readdirSync(fx.lib.paths.tmpDir)).toEqual([]);
  });

  it('resumes across runs: a run stopped by the remote leaves the queue, the next run finishes it', async () => {
    const { remote: inner } = await cloudOnly();
    const remote = new FaultyRemote(inner);
    const wanted = queueAll();
    remote.failNext('read', 'AUTH', 1);
    const first = await runDownloads(fx.lib, remote, { ...noSleep, concurrency: 1 });
    expect(first.stoppedBy?.code).toBe('AUTH');
    expect(first.downloaded).toBe(0);
    // The item already waiting for the (single) network slot sent nothing and is not a failure.
    expect(first.failed.map((f) => f.code)).toEqual(['AUTH']);
    expect(remote.calls.read).toBe(1);
    expect(queuedDownloads(fx.lib.state).length).toBe(wanted.length);
    const second = await runDownloads(fx.lib, remote, noSleep);
    expect(second.downloaded).toBe(wanted.length);
    expect(queuedDownloads(fx.lib.state)).toEqual([]);
    expect((await verifyStore(fx.lib)).bad).toEqual([]);
  });

  it('downloadBlob with a batch: the rename is reported (its folder) before the row that records it, and not fsynced itself', async () => {
    const { remote } = await cloudOnly();
    const [item] = planDownloads(targetFiles(fx.lib.db, {})).fetch;
    const events: string[] = [];
    const stored = (await remote.stat(blobKey(item!.type, item!.sha1)))!.size;
    await downloadBlob(fx.lib, remote, item!, () => undefined, {
      storedSize: stored,
      touched: (dir) => events.push(`touched ${dir}`),
      record: () => events.push(`record (final file exists: ${fs.existsSync(blobPath(fx.lib.paths.storeDir, item!.type, item!.sha1))})`),
    });
    const final = blobPath(fx.lib.paths.storeDir, item!.type, item!.sha1);
    expect(events).toEqual([`touched ${path.dirname(final)}`, 'record (final file exists: true)']);
  });

  it('removes temp files of dead processes, keeps those of live ones', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1 });
    const dead = path.join(fx.lib.paths.tmpDir, '.dl.999999.abcdef.tmp');
    const live = path.join(fx.lib.paths.tmpDir, `.dl.${process.pid}.abcdef.tmp`);
    fs.writeFileSync(dead, 'x');
    fs.writeFileSync(live, 'x');
    expect(await removeStaleDownloadTemps(fx.lib.paths.tmpDir)).toBe(1);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });
});

/** Holds every read until `release()`; `started` resolves when the first read is waiting. */
class HeldRemote extends FaultyRemote {
  private open!: () => void;
  private readonly gate = new Promise<void>((r) => (this.open = r));
  private onStart!: () => void;
  readonly started = new Promise<void>((r) => (this.onStart = r));
  readKeys: string[] = [];
  release(): void {
    this.open();
  }
  override async *read(key: string, opts?: Parameters<FaultyRemote['read']>[1]): AsyncIterable<Buffer> {
    this.readKeys.push(key);
    this.onStart();
    await this.gate;
    yield* super.read(key, opts);
  }
}

const localRows = () => fx.lib.state.prepare('SELECT sha1 FROM local_blob').pluck().all() as string[];
const queueStates = () => fx.lib.state.prepare('SELECT state FROM download_queue').pluck().all() as string[];

describe('runDownloads interrupted by the caller (ctrl+c)', () => {
  it('stop: starts no new item, lets the one in flight finish and records it; the rest stays Pending', async () => {
    const { remote } = await cloudOnly();
    const wanted = queueAll();
    expect(wanted.length).toBeGreaterThan(3);
    const held = new HeldRemote(remote);
    const stop = new AbortController();
    const run = runDownloads(fx.lib, held, { ...noSleep, concurrency: 1, stop: stop.signal });
    await held.started;
    stop.abort();
    held.release();
    const report = await run;
    expect(report.interrupted).toBe(true);
    expect(report.downloaded).toBe(1);
    expect(held.readKeys).toHaveLength(1);
    // What finished is in the store and recorded; nothing is in the store unrecorded.
    expect(storeFiles()).toHaveLength(1);
    expect(localRows()).toHaveLength(1);
    expect(storeFiles()[0]).toContain(localRows()[0]);
    expect(queueStates()).toEqual(wanted.slice(1).map(() => 'Pending'));
    expect(fs.readdirSync(fx.lib.paths.tmpDir)).toEqual([]);
    // The next run takes up the rest.
    const again = await runDownloads(fx.lib, remote, noSleep);
    expect(again.downloaded).toBe(wanted.length - 1);
    expect((await verifyStore(fx.lib)).bad).toEqual([]);
  });

  it('abort: cuts the download in flight (no temp, nothing at the final path) and leaves every item Pending', async () => {
    const { remote } = await cloudOnly();
    const wanted = queueAll();
    const held = new HeldRemote(remote);
    const abort = new AbortController();
    const run = runDownloads(fx.lib, held, { ...noSleep, concurrency: 1, abort: abort.signal });
    await held.started;
    abort.abort();
    held.release();
    const report = await run;
    expect(report.interrupted).toBe(true);
    expect(report.downloaded).toBe(0);
    expect(report.failed).toEqual([]);
    expect(storeFiles()).toEqual([]);
    expect(localRows()).toEqual([]);
    expect(queueStates()).toEqual(wanted.map(() => 'Pending'));
    expect(fs.readdirSync(fx.lib.paths.tmpDir)).toEqual([]);
  });

  it('adopts a verified blob left at its final path without its row (a killed run) instead of downloading it again; a damaged one is fetched', async () => {
    const { remote } = await cloudOnly();
    const wanted = queueAll();
    const rows = targetFiles(fx.lib.db, {});
    const [good, bad] = wanted.map((sha1) => rows.find((f) => f.sha1 === sha1)!);
    for (const f of [good!, bad!]) {
      const final = blobPath(fx.lib.paths.storeDir, f.type, f.sha1);
      fs.mkdirSync(path.dirname(final), { recursive: true });
      fs.writeFileSync(final, await remote.readAll(blobKey(f.type, f.sha1)));
    }
    const badFile = blobPath(fx.lib.paths.storeDir, bad!.type, bad!.sha1);
    const bytes = fs.readFileSync(badFile);
    bytes[bytes.length - 8] ^= 0x01;
    fs.writeFileSync(badFile, bytes);
    const goodIno = fs.statSync(blobPath(fx.lib.paths.storeDir, good!.type, good!.sha1)).ino;

    const counting = new FaultyRemote(remote);
    const report = await runDownloads(fx.lib, counting, noSleep);
    expect(report.adopted).toBe(1);
    expect(report.alreadyLocal).toBe(1);
    expect(report.downloaded).toBe(wanted.length - 1);
    expect(counting.calls.read).toBe(wanted.length - 1);
    expect(fs.statSync(blobPath(fx.lib.paths.storeDir, good!.type, good!.sha1)).ino).toBe(goodIno);
    expect(localRows().sort()).toEqual([...wanted].sort());
    expect(queuedDownloads(fx.lib.state)).toEqual([]);
    expect((await verifyStore(fx.lib)).bad).toEqual([]);
  });
});

describe('runDrop', () => {
  it('never drops the last copy: blobs not uploaded, or missing on the remote, are kept', async () => {
    fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 2 });
    const remote = new OpendalRemote({ scheme: 'fs', options: { root: path.join(fx.root, 'remote') } });
    // Nothing uploaded yet: nothing may go.
    const before = await runDrop(fx.lib, remote, planDrop(targetFiles(fx.lib.db, {})));
    expect(before.dropped).toBe(0);
    expect(before.kept.length).toBeGreaterThan(0);
    await runUploads(fx.lib, remote, noSleep);
    // The log says uploaded, but the remote lost one object: that one is kept.
    const [lost] = targetFiles(fx.lib.db, {});
    await remote.delete(blobKey(lost!.type, lost!.sha1));
    const after = await runDrop(fx.lib, remote, planDrop(targetFiles(fx.lib.db, {})));
    expect(after.kept.map((k) => k.sha1)).toEqual([lost!.sha1]);
    expect(fs.existsSync(blobPath(fx.lib.paths.storeDir, lost!.type, lost!.sha1))).toBe(true);
    expect(after.dropped).toBe(targetFiles(fx.lib.db, {}).length - 1);
  });
});
