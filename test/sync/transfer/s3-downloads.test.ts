// Downloads against a real S3 server (s3rver), counted through a proxy: one GET per small object,
// no HEAD, no listing when the uploader recorded the sizes (a wrong recorded size costs one HEAD); the whole-object read is verified like a streamed one (a flipped byte or a truncated
// object never reaches the store).
import fs from 'node:fs';
import { compress, decompress } from '@mongodb-js/zstd';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { verifyStore } from '../../../src/store/verify.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { planDownloads } from '../../../src/sync/transfer/download-plan.js';
import { enqueueDownloads, queuedDownloads } from '../../../src/sync/transfer/download-queue.js';
import { runDownloads } from '../../../src/sync/transfer/download-worker.js';
import { planDrop } from '../../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../../src/sync/transfer/drop-worker.js';
import { targetFiles } from '../../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
import { startProxy, type Proxy } from './http-proxy.js';
import { libraryWithFiles, type Fixture } from './library-fixture.js';

let s3: S3Server;
let proxy: Proxy;
let fx: Fixture | undefined;
let n = 0;
const noSleep = { sleep: async () => undefined, random: () => 0 };

beforeAll(async () => {
  s3 = await startS3rver();
  proxy = await startProxy(() => s3.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
});
afterEach(() => {
  fx?.cleanup();
  fx = undefined;
});

/** A library whose blobs are all on s3 only; `counted` reaches the same bucket through the proxy. */
async function cloudOnly(): Promise<{ direct: OpendalRemote; counted: OpendalRemote; wanted: { sha1: string; type: string; size: number }[] }> {
  fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 2 });
  const root = `/dl${++n}`;
  const direct = new OpendalRemote({ scheme: 's3', options: s3.options(root) });
  const counted = new OpendalRemote({ scheme: 's3', options: { ...s3.options(root), endpoint: proxy.endpoint } });
  const up = await runUploads(fx.lib, direct, noSleep);
  expect(up.failed).toEqual([]);
  const drop = await runDrop(fx.lib, direct, planDrop(targetFiles(fx.lib.db, {})));
  expect(drop.kept).toEqual([]);
  const plan = planDownloads(targetFiles(fx.lib.db, {}));
  enqueueDownloads(fx.lib.state, plan.fetch);
  return { direct, counted, wanted: plan.fetch };
}

function storeFiles(lib: Fixture['lib']): string[] {
  return fs.readdirSync(lib.paths.storeDir, { recursive: true }).map(String).filter((f) => f.endsWith('.zst'));
}

describe('downloads from s3', () => {
  it('sizes recorded at upload: each small object is one GET, with no listing and no HEAD, all verified', async () => {
    const { direct, counted, wanted } = await cloudOnly();
    // The uploading device recorded each object's size in the synced log.
    for (const w of wanted) {
      const recorded = fx!.lib.db.prepare('SELECT stored_bytes FROM file_sync_log WHERE file_sha1 = ?').pluck().get(w.sha1);
      expect(recorded).toBe((await direct.stat(blobKey(w.type, w.sha1)))!.size);
    }
    proxy.requests.length = 0;
    const report = await runDownloads(fx!.lib, counted, noSleep);
    expect(report.failed).toEqual([]);
    expect(report.downloaded).toBe(wanted.length);
    expect(proxy.requests.map((r) => r.method)).toEqual(wanted.map(() => 'GET'));
    expect(proxy.requests.filter((r) => r.url.includes('list-type'))).toEqual([]);
    expect((await verifyStore(fx!.lib)).bad).toEqual([]);
    expect(queuedDownloads(fx!.lib.state)).toEqual([]);
  });

  it('sizes not recorded (uploaded before migration 3): one listing per type, then one GET per object and no HEAD', async () => {
    const { counted, wanted } = await cloudOnly();
    fx!.lib.db.prepare('UPDATE file_sync_log SET stored_bytes = NULL').run();
    proxy.requests.length = 0;
    const report = await runDownloads(fx!.lib, counted, noSleep);
    expect(report.failed).toEqual([]);
    expect(report.downloaded).toBe(wanted.length);
    const methods = proxy.requests.map((r) => r.method);
    const types = new Set(wanted.map((w) => w.type)).size;
    expect(methods.filter((m) => m === 'HEAD')).toEqual([]);
    expect(methods.filter((m) => m === 'GET').length).toBe(wanted.length + types); // + one listing page per type
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.url.includes('list-type')).length).toBe(types);
    expect((await verifyStore(fx!.lib)).bad).toEqual([]);
  });

  it('a recorded size that proved wrong (the same content, compressed differently, overwrote the object): asks for the real size once and downloads it', async () => {
    const { direct, counted, wanted } = await cloudOnly();
    const victim = wanted.find((w) => w.size > 1024)!;
    const key = blobKey(victim.type, victim.sha1);
    // Another device's copy of the same content: two zstd frames instead of one, so a longer object
    // whose first `recorded` bytes are not a whole blob.
    const plain = await decompress(await direct.readAll(key));
    const half = plain.length >> 1;
    const other = Buffer.concat([await compress(plain.subarray(0, half)), await compress(plain.subarray(half))]);
    const recorded = fx!.lib.db.prepare('SELECT stored_bytes FROM file_sync_log WHERE file_sha1 = ?').pluck().get(victim.sha1) as number;
    expect(other.length).toBeGreaterThan(recorded);
    await direct.write(key, other);
    proxy.requests.length = 0;
    const report = await runDownloads(fx!.lib, counted, noSleep);
    expect(report.failed).toEqual([]);
    expect(report.downloaded).toBe(wanted.length);
    expect(proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.url)).toEqual([expect.stringContaining(victim.sha1)]);
    expect(fs.statSync(blobPath(fx!.lib.paths.storeDir, victim.type, victim.sha1)).size).toBe(other.length);
    expect((await verifyStore(fx!.lib)).bad).toEqual([]);
  });

  it('an object gone from the remote although its size is recorded: NOT_FOUND naming it, the others downloaded', async () => {
    const { direct, counted, wanted } = await cloudOnly();
    const victim = wanted[0]!;
    const key = blobKey(victim.type, victim.sha1);
    await direct.delete(key);
    const report = await runDownloads(fx!.lib, counted, noSleep);
    expect(report.failed.map((f) => [f.key, f.code])).toEqual([[key, 'NOT_FOUND']]);
    expect(report.failed[0]!.message).toContain(key);
    expect(report.downloaded).toBe(wanted.length - 1);
    expect(queuedDownloads(fx!.lib.state, 'Failed').map((q) => q.sha1)).toEqual([victim.sha1]);
    expect(fs.readdirSync(fx!.lib.paths.tmpDir)).toEqual([]);
  });

  it('a flipped byte in a whole-read object: CHECKSUM_MISMATCH or CORRUPT_BLOB naming the sha1, nothing at the final path', async () => {
    const { direct, counted, wanted } = await cloudOnly();
    const victim = wanted[0]!;
    const key = blobKey(victim.type, victim.sha1);
    const bytes = Buffer.from(await direct.readAll(key));
    bytes[bytes.length - 8] ^= 0x01;
    await direct.write(key, bytes);
    const report = await runDownloads(fx!.lib, counted, noSleep);
    const failure = report.failed.find((f) => f.sha1 === victim.sha1)!;
    expect(['CHECKSUM_MISMATCH', 'CORRUPT_BLOB']).toContain(failure.code);
    expect(failure.message).toContain(victim.sha1);
    expect(fs.existsSync(blobPath(fx!.lib.paths.storeDir, victim.type, victim.sha1))).toBe(false);
    expect(fs.readdirSync(fx!.lib.paths.tmpDir)).toEqual([]);
    expect(report.downloaded).toBe(wanted.length - 1);
    expect(storeFiles(fx!.lib).length).toBe(wanted.length - 1);
  });

  it('a truncated object (fetched at its truncated size once its recorded size proved wrong) is rejected; nothing at the final path, the queue keeps it', async () => {
    const { direct, counted, wanted } = await cloudOnly();
    const victim = wanted[0]!;
    const key = blobKey(victim.type, victim.sha1);
    const bytes = await direct.readAll(key);
    await direct.write(key, bytes.subarray(0, bytes.length - 5));
    const report = await runDownloads(fx!.lib, counted, noSleep);
    const failure = report.failed.find((f) => f.sha1 === victim.sha1)!;
    expect(['CHECKSUM_MISMATCH', 'CORRUPT_BLOB']).toContain(failure.code);
    expect(fs.existsSync(blobPath(fx!.lib.paths.storeDir, victim.type, victim.sha1))).toBe(false);
    expect(fs.readdirSync(fx!.lib.paths.tmpDir)).toEqual([]);
    expect(queuedDownloads(fx!.lib.state, 'Failed').map((q) => q.sha1)).toEqual([victim.sha1]);
    // Once the object is whole again, the next run fetches it.
    await direct.write(key, bytes);
    const again = await runDownloads(fx!.lib, counted, noSleep);
    expect(again.failed).toEqual([]);
    expect((await verifyStore(fx!.lib)).bad).toEqual([]);
  });
});
