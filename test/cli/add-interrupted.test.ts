// `trove add` killed (SIGKILL) in the middle of a batch of small files: the catalogue names no blob
// that is missing or incomplete, and running the same add again finishes the job.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentBytes, writeContent } from '../../fixtures/content.js';
import { CLI, runCli, tempDir } from '../helpers/cli.js';

function blobCount(storeDir: string): number {
  if (!fs.existsSync(storeDir)) return 0;
  return (fs.readdirSync(storeDir, { recursive: true }) as string[]).filter((p) => p.endsWith('.zst')).length;
}

describe('trove add interrupted', () => {
  let root: string;
  let lib: string;
  let src: string;
  const FILES = 600;

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    src = path.join(root, 'src');
    fs.mkdirSync(src);
    for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(src, `g${String(i).padStart(4, '0')}.bin`), contentBytes(`kill/${i}`, 8192));
    expect((await runCli(['--library', lib, 'init'])).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('records nothing when killed after some blobs are stored; the rerun stores and records everything', async () => {
    const child = spawn(process.execPath, [CLI, '--library', lib, 'add', src, '--system', 'S', '--release', 'R', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let finished = false;
    void exited.then(() => (finished = true));
    const storeDir = path.join(lib, 'store');
    while (!finished && blobCount(storeDir) < 10) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;

    const db = new Database(path.join(lib, 'collection.db'), { readonly: true });
    const recorded = (db.prepare('SELECT count(*) AS n FROM file').get() as { n: number }).n;
    db.close();
    const state = new Database(path.join(lib, 'state.db'), { readonly: true });
    const local = state.prepare('SELECT sha1, type FROM local_blob').all() as { sha1: string; type: string }[];
    state.close();
    for (const b of local) expect(fs.existsSync(path.join(storeDir, b.type, b.sha1.slice(0, 2), `${b.sha1}.zst`))).toBe(true);
    expect(local).toHaveLength(recorded);
    // The batch is one transaction after every blob is durable: all of it or none of it.
    expect([0, FILES]).toContain(recorded);
    // Every blob the catalogue (or state.db) names is present and whole.
    const verify = await runCli(['--library', lib, 'verify']);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);

    const again = await runCli(['--library', lib, 'add', src, '--system', 'S', '--release', 'R', '--json']);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { files: { stored: boolean }[] };
    expect(report.files).toHaveLength(FILES);
    expect(blobCount(storeDir)).toBe(FILES);
    expect((await runCli(['--library', lib, 'verify'])).code).toBe(0);
    expect(JSON.parse((await runCli(['--library', lib, 'ls', 'files', '--json'])).stdout)).toHaveLength(FILES);
  });

  it('leaves the temp of a big file it was writing, and the next trove command removes it', async () => {
    const big = path.join(root, 'big.iso');
    await writeContent(big, 'kill/big', 96 * 1024 * 1024, 'random');
    const tmpDir = path.join(lib, 'tmp');
    const temps = () => fs.readdirSync(tmpDir).filter((n) => n.startsWith('.ingest.'));
    const child = spawn(process.execPath, [CLI, '--library', lib, 'add', big, '--system', 'S', '--release', 'Big', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let finished = false;
    void exited.then(() => (finished = true));
    const started = () => temps().some((n) => fs.statSync(path.join(tmpDir, n)).size > 0);
    while (!finished && !started()) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    expect(finished && temps().length === 0 ? 'finished before the kill' : temps().length).toBe(1);
    const ls = await runCli(['--library', lib, 'ls', 'releases', '--json']);
    expect(ls.code).toBe(0);
    expect(temps()).toEqual([]);
    expect(JSON.parse(ls.stdout).map((r: { name: string }) => r.name)).not.toContain('Big');
  });
});

// collection.db and state.db are two WAL databases, which SQLite commits one at a time, never
// together. A real I/O failure (fsync EIO, injected with strace into the running CLI) in either
// commit must leave the catalogue, the local rows and the store as they were.
const straceWorks = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=fsync', 'true']).status === 0;

describe.skipIf(!straceWorks)('trove add whose commit fails (fsync EIO injected with strace)', () => {
  let root: string;
  let src: string;
  beforeAll(() => {
    root = tempDir();
    src = path.join(root, 'src');
    fs.mkdirSync(src);
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(src, `f${i}.bin`), contentBytes(`eio/${i}`, 20_000 + i));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const db of ['state', 'collection']) {
    it(`changes nothing when ${db}.db's commit fails, and the same add then succeeds`, async () => {
      const lib = path.join(root, `lib-${db}`);
      expect((await runCli(['--library', lib, 'init'])).code).toBe(0);
      const r = spawnSync(
        'strace',
        ['-f', '-qq', '-o', '/dev/null', '-P', path.join(lib, `${db}.db-wal`), '-e', 'trace=fsync', '-e', 'inject=fsync:error=EIO:when=1',
          process.execPath, CLI, '--library', lib, 'add', src, '--system', 'S', '--release', 'Q (USA)'],
        { encoding: 'utf8', env: { ...process.env, XDG_DATA_HOME: path.join(root, 'xdg') } },
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/disk I\/O error/);
      expect(r.stderr).toContain(`${db}.db`);
      expect(JSON.parse((await runCli(['--library', lib, 'ls', 'files', '--json'])).stdout)).toEqual([]);
      expect(JSON.parse((await runCli(['--library', lib, 'ls', 'releases', '--json'])).stdout)).toEqual([]);
      const state = new Database(path.join(lib, 'state.db'), { readonly: true });
      expect(state.prepare('SELECT count(*) FROM local_blob').pluck().get()).toBe(0);
      state.close();
      expect(blobCount(path.join(lib, 'store'))).toBe(0);
      const again = await runCli(['--library', lib, 'add', src, '--system', 'S', '--release', 'Q (USA)', '--json']);
      expect(again.code, again.stderr).toBe(0);
      const files = JSON.parse((await runCli(['--library', lib, 'ls', 'files', '--json'])).stdout) as { availability: string }[];
      expect(files.map((f) => f.availability)).toEqual(['LocalOnly', 'LocalOnly', 'LocalOnly', 'LocalOnly']);
      expect((await runCli(['--library', lib, 'verify'])).code).toBe(0);
    });
  }
});
