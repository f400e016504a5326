// A stalled S3 server through the built CLI: s3rver frozen with SIGSTOP (alive, connections accepted,
// nothing answered: a hung MinIO or NAS, a dead NAT mapping). Every command must end with exit 5 in
// bounded time instead of waiting for ever; nothing may be recorded as uploaded that is not on the
// remote; once the server answers again, the same commands finish the job.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { startS3rver, type S3Server } from '../helpers/s3rver.js';

let s3: S3Server;
let root: string;
const L = () => path.join(root, 'A');
const ENV = (): NodeJS.ProcessEnv => ({
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  XDG_CONFIG_HOME: path.join(root, 'config'),
  TROVE_REMOTE_TIMEOUT: '500ms',
  TROVE_REMOTE_IDLE_TIMEOUT: '1s',
});

function trove(args: string[]): Promise<CliResult> {
  return runCli(['--library', L(), ...args], { env: ENV(), timeoutMs: 90_000 });
}

/** With the default deadlines: for commands while the server answers (a loaded machine may be slow). */
function troveAwake(args: string[]): Promise<CliResult> {
  return runCli(['--library', L(), ...args], { env: { ...ENV(), TROVE_REMOTE_TIMEOUT: '', TROVE_REMOTE_IDLE_TIMEOUT: '' }, timeoutMs: 90_000 });
}

/** `trove upload --json`, calling `onEvent` for each NDJSON event as it arrives. */
function uploadStreaming(onEvent: (e: { type: string; outcome?: string; bytesDone?: number }) => void): Promise<CliResult & { events: { type: string; outcome?: string; sha1?: string }[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--library', L(), 'upload', '--json', '--concurrency', '1'], {
      cwd: ROOT,
      env: { ...process.env, ...ENV() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const events: { type: string; outcome?: string; sha1?: string }[] = [];
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line);
        events.push(e);
        onEvent(e);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, events });
    });
  });
}

beforeAll(async () => {
  s3 = await startS3rver();
  root = tempDir('trove-cli-stall-');
  expect((await troveAwake(['init'])).code).toBe(0);
  const set = await troveAwake(['remote', 'set', 's3', `bucket=${s3.bucket}`, `endpoint=${s3.endpoint}`, 'region=us-east-1', 'root=/stall']);
  expect(set.code, set.stderr).toBe(0);
  // Two small files and one of 24 MiB (random: it stays big compressed, a multipart upload).
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.bin'), 'first small file');
  fs.writeFileSync(path.join(src, 'b.bin'), 'second small file');
  const big = Buffer.alloc(24 * 1024 * 1024);
  for (let o = 0; o < big.length; o += 4) big.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, o);
  fs.writeFileSync(path.join(src, 'c.bin'), big);
  for (const f of ['a.bin', 'b.bin', 'c.bin']) {
    const add = await troveAwake(['add', path.join(src, f), '--system', 'S', '--release', `R ${f} (World)`]);
    expect(add.code, add.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  s3?.resume();
  await s3?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function status(): Promise<{ uploads: Record<string, number> }> {
  const st = await trove(['status', '--json']);
  expect(st.code, st.stderr).toBe(0);
  return JSON.parse(st.stdout);
}

describe('a stalled s3 server', () => {
  it('upload: the server freezes mid-run; exit 5 in bounded time, only what reached the bucket is done; a rerun after it wakes finishes', async () => {
    let paused = false;
    const t0 = Date.now();
    const up = await uploadStreaming((e) => {
      // Freeze the server as soon as the first file is up: the rest are in flight or queued.
      if (!paused && e.type === 'item' && e.outcome === 'done') {
        s3.pause();
        paused = true;
      }
    });
    const took = Date.now() - t0;
    expect(paused).toBe(true);
    expect(up.code, up.stderr).toBe(5);
    expect(up.stderr).toMatch(/no answer within|REMOTE_UNAVAILABLE|unreachable/i);
    // 3 files, 5 attempts each at most, deadlines of 0.5–1 s and back-off under 2 s: well under a minute.
    expect(took).toBeLessThan(60_000);
    const done = up.events.filter((e) => e.type === 'item' && e.outcome === 'done');
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThan(3);

    // Still frozen: status is local and answers; sync status needs the remote and ends with exit 5.
    const st = await status();
    expect(st.uploads.UploadCompleted ?? 0).toBe(done.length);
    expect(st.uploads.UploadInProgress ?? 0).toBe(0);
    const t1 = Date.now();
    const ss = await trove(['sync', 'status']);
    expect(ss.code, ss.stderr).toBe(5);
    expect(ss.stderr).toMatch(/no answer within/);
    expect(Date.now() - t1).toBeLessThan(30_000);

    s3.resume();
    // Everything recorded as done is on the bucket, of its recorded size (upload --verify checks that).
    const verify = await troveAwake(['upload', '--verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    const after = await status();
    expect(after.uploads.UploadCompleted).toBe(3);
    expect(after.uploads.UploadPending ?? 0).toBe(0);
    const check = await troveAwake(['upload', '--verify']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/0 missing or damaged/);
  }, 150_000);

  it('download, sync status, remote check and sync push against a frozen server: exit 5 each, in bounded time', async () => {
    const drop = await troveAwake(['drop', 'R a.bin (World)']);
    expect(drop.code, drop.stderr).toBe(0);
    expect(drop.stdout).toMatch(/dropped 1 local blob/);
    s3.pause();
    try {
      for (const args of [['download', 'R a.bin (World)'], ['sync', 'status'], ['remote', 'check'], ['sync', 'push']]) {
        const t0 = Date.now();
        const r = await trove(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(5);
        expect(Date.now() - t0, args.join(' ')).toBeLessThan(45_000);
      }
    } finally {
      s3.resume();
    }
    // Nothing half-downloaded was taken for the file; once the server answers, it comes back whole.
    const show = JSON.parse((await trove(['show', 'R a.bin (World)', '--json'])).stdout);
    expect(show.availability).toBe('CloudOnly');
    const dl = await troveAwake(['download', 'R a.bin (World)']);
    expect(dl.code, dl.stderr).toBe(0);
    expect(JSON.parse((await trove(['show', 'R a.bin (World)', '--json'])).stdout).availability).toBe('Synchronized');
    const ss = await troveAwake(['sync', 'status']);
    expect(ss.code, ss.stderr).toBe(0);
  }, 200_000);
});
