// `trove download-all` interrupted by a real SIGINT (ctrl+c) in a real child process: the first
// ctrl+c lets the downloads in flight finish and be recorded, then exits 130 with the rest queued;
// whatever had reached the store is never fetched again. (Blobs renamed into store/ whose row a hard
// kill left unrecorded are found at their final path by the next run, verified and recorded —
// adoptFinishedBlobs — not downloaded again: download-worker.test.ts.)
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentBytes } from '../../../fixtures/content.js';
import { addFiles } from '../../../src/store/add-files.js';
import { Library } from '../../../src/store/library.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { parseRemoteArgs, saveRemoteConfig } from '../../../src/sync/remote/remote-config.js';
import { planDrop } from '../../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../../src/sync/transfer/drop-worker.js';
import { targetFiles } from '../../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../../src/sync/transfer/upload-worker.js';
import { CLI, runCli, tempDir } from '../../helpers/cli.js';

const FILES = 400;
let root: string;
let lib: string;

/** Every blob in the store with its mtime (a download renames a new file over it: a new mtime). */
function storeBlobs(): Map<string, bigint> {
  const store = path.join(lib, 'store');
  const out = new Map<string, bigint>();
  for (const p of fs.readdirSync(store, { recursive: true }) as string[]) if (p.endsWith('.zst')) out.set(p, fs.statSync(path.join(store, p), { bigint: true }).mtimeNs);
  return out;
}

beforeAll(async () => {
  root = tempDir('trove-sigint-');
  lib = path.join(root, 'lib');
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const p = path.join(src, `g${String(i).padStart(4, '0')}.bin`);
    fs.writeFileSync(p, contentBytes(`sigint/${i}`, 32 * 1024));
    paths.push(p);
  }
  const { library } = Library.init(lib);
  try {
    await addFiles(library, { paths, system: 'S', release: 'R (USA)', title: 'R', type: 'rom', fileSet: 'rom' });
    fs.mkdirSync(path.join(root, 'remote'));
    const cfg = parseRemoteArgs('fs', [`root=${path.join(root, 'remote')}`]);
    saveRemoteConfig(library, cfg);
    const remote = new OpendalRemote(cfg);
    await runUploads(library, remote, {});
    const drop = await runDrop(library, remote, planDrop(targetFiles(library.db, {})));
    expect(drop.dropped).toBe(FILES);
  } finally {
    library.close();
  }
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('trove download-all interrupted by SIGINT', () => {
  it('the next run records the blobs that reached the store instead of downloading them again', async () => {
    const child = spawn(process.execPath, [CLI, '--library', lib, 'download-all', '--concurrency', '1', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let finished = false;
    void exited.then(() => (finished = true));
    while (!finished && (fs.existsSync(path.join(lib, 'store')) ? storeBlobs().size : 0) < 20) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('stopping: finishing the downloads in flight');
    expect(stderr).toMatch(/interrupted: what did not finish stays queued/);
    const before = storeBlobs();
    expect(before.size).toBeGreaterThanOrEqual(20);
    expect(before.size).toBeLessThan(FILES);
    // A clean stop: every blob in the store is recorded, nothing is left InProgress, the rest is queued.
    const mid = new Database(path.join(lib, 'state.db'), { readonly: true });
    expect(mid.prepare('SELECT count(*) FROM local_blob').pluck().get()).toBe(before.size);
    expect(mid.prepare("SELECT count(*) FROM download_queue WHERE state = 'InProgress'").pluck().get()).toBe(0);
    expect(mid.prepare('SELECT count(*) FROM download_queue').pluck().get()).toBe(FILES - before.size);
    mid.close();

    const again = await runCli(['--library', lib, 'download-all', '--json']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    // Only what was missing was downloaded; every blob already in the store is untouched.
    const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { type: string; downloaded: number; alreadyLocal: number };
    expect(result.type).toBe('result');
    expect(result.downloaded).toBe(FILES - before.size);
    const after = storeBlobs();
    for (const [p, mtime] of before) expect(after.get(p), p).toBe(mtime);
    expect(after.size).toBe(FILES);
    const state = new Database(path.join(lib, 'state.db'), { readonly: true });
    expect(state.prepare('SELECT count(*) FROM local_blob').pluck().get()).toBe(FILES);
    expect(state.prepare('SELECT count(*) FROM download_queue').pluck().get()).toBe(0);
    state.close();
    expect((await runCli(['--library', lib, 'verify'])).code).toBe(0);
  });
});
