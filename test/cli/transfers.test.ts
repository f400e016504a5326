// End to end through the built CLI against s3rver: device A adds and uploads, device B (a second
// library on the same remote, with A's catalogue as a pull would bring it) downloads everything and
// every SHA1 verifies. Plus drop, status, remote check/show/credentials, wrong credentials, an HTML
// body instead of an object, and a grep for the secrets in everything the CLI printed.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCollection, type GeneratedRelease } from '../../fixtures/collection.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { startS3rver, type S3Server } from '../helpers/s3rver.js';
import { startProxy, type Proxy } from '../sync/transfer/http-proxy.js';

const SECRET = 'Tr0ve-Secret-Value/do-not-print';
const WRONG_KEY_ID = 'AKIAWRONGKEYID000042';
let s3: S3Server;
let proxy: Proxy;
let root: string;
let releases: GeneratedRelease[];
const printed: CliResult[] = [];

function lib(name: string): string {
  return path.join(root, name);
}

async function trove(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  const r = await runCli(args, {
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: SECRET, XDG_CONFIG_HOME: path.join(root, 'config'), ...env },
    input,
  });
  printed.push(r);
  return r;
}

function ndjson(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  s3 = await startS3rver();
  proxy = await startProxy(() => s3.endpoint);
  root = tempDir('trove-cli-xfer-');
  releases = await generateCollection(path.join(root, 'src'), { seed: 'cli-xfer', systems: 2, titlesPerSystem: 1, regionsPerTitle: 1 });
});

afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('transfers through the CLI', () => {
  it('device A adds and uploads; device B downloads everything and every SHA1 verifies', async () => {
    expect((await trove(['init', '--library', lib('A')])).code).toBe(0);
    const set = await trove(['--library', lib('A'), 'remote', 'set', 's3', `bucket=${s3.bucket}`, `endpoint=${s3.endpoint}`, 'region=us-east-1', 'root=/shared']);
    expect(set.code).toBe(0);
    for (const r of releases) {
      for (const fsx of r.fileSets) {
        const add = await trove(['--library', lib('A'), 'add', ...fsx.files.map((f) => f.path), '--system', r.system, '--release', r.release, '--type', fsx.type]);
        expect(add.code, add.stderr).toBe(0);
      }
    }
    const before = JSON.parse((await trove(['--library', lib('A'), 'status', '--json'])).stdout);
    expect(before.uploads.UploadPending).toBeGreaterThan(0);

    const up = await trove(['--library', lib('A'), 'upload', '--verify', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const events = ndjson(up.stdout);
    const result = events.at(-1)!;
    expect(result.type).toBe('result');
    expect(result.uploaded).toBe(before.uploads.UploadPending);
    expect(events.some((e) => e.type === 'item' && e.outcome === 'done')).toBe(true);
    const after = JSON.parse((await trove(['--library', lib('A'), 'status', '--json'])).stdout);
    expect(after.uploads.UploadCompleted).toBe(before.uploads.UploadPending);
    expect(after.systems.every((s: { availability: { Synchronized: number }; files: number }) => s.availability.Synchronized === s.files)).toBe(true);

    // Device B: its own library; the catalogue arrives as a pull would bring it.
    expect((await trove(['init', '--library', lib('B')])).code).toBe(0);
    fs.copyFileSync(path.join(lib('A'), 'collection.db'), path.join(lib('B'), 'collection.db'));
    await trove(['--library', lib('B'), 'remote', 'set', 's3', `bucket=${s3.bucket}`, `endpoint=${s3.endpoint}`, 'region=us-east-1', 'root=/shared']);
    const cloudOnly = JSON.parse((await trove(['--library', lib('B'), 'status', '--json'])).stdout);
    expect(cloudOnly.systems.every((s: { availability: { CloudOnly: number }; files: number }) => s.availability.CloudOnly === s.files)).toBe(true);

    const dl = await trove(['--library', lib('B'), 'download-all']);
    expect(dl.code, dl.stderr).toBe(0);
    expect(dl.stdout).toMatch(/downloaded \d+ file\(s\)/);
    expect(dl.stderr).toBe(''); // not a TTY: no progress line
    const verify = await trove(['--library', lib('B'), 'verify', '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    const v = JSON.parse(verify.stdout);
    expect(v.bad).toEqual([]);
    expect(v.checked).toBe(after.uploads.UploadCompleted);
    const files = JSON.parse((await trove(['--library', lib('B'), 'ls', 'files', '--json'])).stdout) as { sha1: string; availability: string }[];
    const expected = new Set(releases.flatMap((r) => r.fileSets.flatMap((s) => s.files.map((f) => f.sha1))));
    expect(new Set(files.map((f) => f.sha1))).toEqual(expected);
    expect(files.every((f) => f.availability === 'Synchronized')).toBe(true);
  });

  it('drop frees local copies of uploaded files only, and download brings one release back', async () => {
    const system = releases[0]!.system;
    const drop = await trove(['--library', lib('B'), 'drop', '--system', system]);
    expect(drop.code, drop.stderr).toBe(0);
    expect(drop.stdout).toMatch(/dropped [1-9]\d* local blob/);
    const st = JSON.parse((await trove(['--library', lib('B'), 'status', '--json'])).stdout);
    const sys = st.systems.find((s: { system: string }) => s.system === system);
    expect(sys.availability.CloudOnly).toBe(sys.files);
    const one = await trove(['--library', lib('B'), 'download', releases[0]!.release, '--system', system]);
    expect(one.code, one.stderr).toBe(0);
    const show = JSON.parse((await trove(['--library', lib('B'), 'show', releases[0]!.release, '--system', system, '--json'])).stdout);
    expect(show.availability).toBe('Synchronized');
    // A file never uploaded is never dropped.
    const extra = path.join(root, 'extra.bin');
    fs.writeFileSync(extra, 'only copy');
    await trove(['--library', lib('B'), 'add', extra, '--system', system, '--release', 'Extra (World)']);
    const keep = await trove(['--library', lib('B'), 'drop', 'Extra (World)', '--system', system]);
    expect(keep.stdout).toMatch(/dropped 0 local blob.*1 kept/);
    expect(keep.stdout).toMatch(/only copy|UploadPending/);
  });

  it('remote check reports reachable, writable, listable and that s3rver ignores conditional writes', async () => {
    const r = await trove(['--library', lib('A'), 'remote', 'check', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reachable: true, writable: true, listable: true, readable: true, conditionalWrites: 'ignored', ok: true });
    const text = await trove(['--library', lib('A'), 'remote', 'check']);
    expect(text.stdout).toContain('conditional writes (if-not-exists): ignored');
  });

  it('wrong credentials: AUTH error, exit 5, no retry storm, nothing marked Completed', async () => {
    expect((await trove(['init', '--library', lib('C')])).code).toBe(0);
    await trove(['--library', lib('C'), 'remote', 'set', 's3', `bucket=${s3.bucket}`, `endpoint=${proxy.endpoint}`, 'region=us-east-1', 'root=/c']);
    const r0 = releases[0]!;
    await trove(['--library', lib('C'), 'add', ...r0.fileSets.flatMap((s) => s.files.map((f) => f.path)), '--system', r0.system, '--release', r0.release]);
    proxy.requests.length = 0;
    const up = await trove(['--library', lib('C'), 'upload'], { AWS_ACCESS_KEY_ID: WRONG_KEY_ID });
    expect(up.code).toBe(5);
    expect(up.stderr).toMatch(/permission denied \(HTTP 403 InvalidAccessKeyId\)/);
    // One request per blob at most (the run stops at the first 403), no retries.
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.length).toBeLessThanOrEqual(8);
    expect(proxy.requests.every((q) => q.status === 403)).toBe(true);
    const st = JSON.parse((await trove(['--library', lib('C'), 'status', '--json'])).stdout);
    expect(st.uploads.UploadCompleted).toBe(0);
    const json = await trove(['--library', lib('C'), 'upload', '--json'], { AWS_ACCESS_KEY_ID: WRONG_KEY_ID });
    expect(json.code).toBe(5);
    expect(ndjson(json.stdout).at(-1)).toMatchObject({ type: 'result', stoppedBy: { code: 'AUTH' } });
    const check = await trove(['--library', lib('C'), 'remote', 'check', '--json'], { AWS_ACCESS_KEY_ID: WRONG_KEY_ID });
    expect(check.code).toBe(5);
    expect(JSON.parse(check.stdout)).toMatchObject({ reachable: true, writable: false });
  });

  it('an HTML error page served instead of an object never lands in the store', async () => {
    expect((await trove(['init', '--library', lib('D')])).code).toBe(0);
    fs.copyFileSync(path.join(lib('A'), 'collection.db'), path.join(lib('D'), 'collection.db'));
    await trove(['--library', lib('D'), 'remote', 'set', 's3', `bucket=${s3.bucket}`, `endpoint=${proxy.endpoint}`, 'region=us-east-1', 'root=/shared']);
    // First a page shorter than the object (OpenDAL notices the short body), then one padded to the
    // requested length, so that only trove's own check of the bytes stands between it and the store.
    const page = '<html><body>Please log in to the hotel Wi-Fi</body></html>';
    const serve = (pad: boolean) => (req: import('node:http').IncomingMessage) => {
      if (req.method !== 'GET' || !req.url!.split('?')[0]!.endsWith('.zst')) return undefined;
      const m = /bytes=(\d+)-(\d+)/.exec(String(req.headers.range ?? ''));
      const body = pad && m ? page.padEnd(Number(m[2]) - Number(m[1]) + 1, ' ') : page;
      return { status: 200, headers: { 'content-type': 'text/html' }, body };
    };
    try {
      proxy.intercept = serve(false);
      const short = await trove(['--library', lib('D'), 'download-all']);
      expect(short.code).not.toBe(0);
      proxy.intercept = serve(true);
      const dl = await trove(['--library', lib('D'), 'download-all']);
      expect(dl.code, dl.stderr).toBe(4);
      expect(dl.stderr).toMatch(/not a valid trove blob/);
    } finally {
      proxy.intercept = undefined;
    }
    const store = fs.readdirSync(path.join(lib('D'), 'store'), { recursive: true }).map(String).filter((f) => f.endsWith('.zst'));
    expect(store).toEqual([]);
    expect(fs.readdirSync(path.join(lib('D'), 'tmp'))).toEqual([]);
    // The queue remembers them: once the server behaves, the same command finishes the job.
    const again = await trove(['--library', lib('D'), 'download-all']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse((await trove(['--library', lib('D'), 'verify', '--json'])).stdout).bad).toEqual([]);
  });

  it('credentials stored with `remote credentials` are 0600, used, and shown masked', async () => {
    const cfg = path.join(root, 'config2');
    const store = await trove(['--library', lib('A'), 'remote', 'credentials'], { XDG_CONFIG_HOME: cfg }, `access_key_id=S3RVER\nsecret_access_key=${SECRET}\n`);
    expect(store.code, store.stderr).toBe(0);
    const file = path.join(cfg, 'trove', 'credentials');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const env = { XDG_CONFIG_HOME: cfg, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
    const show = await trove(['--library', lib('A'), 'remote', 'show', '--json'], env);
    expect(JSON.parse(show.stdout).credentials.secret_access_key).toEqual({ value: '****', source: 'credentials file' });
    const check = await trove(['--library', lib('A'), 'remote', 'check'], env);
    expect(check.code, check.stderr).toBe(0);
    const showText = await trove(['--library', lib('A'), 'remote', 'show'], { AWS_ACCESS_KEY_ID: WRONG_KEY_ID });
    expect(showText.stdout).toContain('access_key_id = ****0042 (from environment)');
  });

  it('credentials appear in no output, error message or JSON of any command run above', () => {
    expect(printed.length).toBeGreaterThan(20);
    for (const r of printed) {
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(WRONG_KEY_ID);
      }
    }
    // Nor in either database (collection.db is uploaded; state.db holds only the non-secret config).
    for (const name of ['A', 'B', 'C', 'D']) {
      for (const db of ['collection.db', 'state.db']) {
        const bytes = fs.readFileSync(path.join(lib(name), db));
        expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
        expect(bytes.includes(Buffer.from(WRONG_KEY_ID))).toBe(false);
      }
    }
  });
});

describe('upload --verify and damaged copies, through the CLI (fs remote)', () => {
  /** Flip one byte in the middle: bit rot that keeps the size. */
  const rot = (file: string) => {
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
  };
  const blobFile = (dir: string, sha1: string) => path.join(dir, 'rom', sha1.slice(0, 2), `${sha1}.zst`);

  it('exits 0 and names what it repaired when every damaged or missing object was replaced and verified; 4 while something is still wrong', async () => {
    const dir = tempDir('trove-cli-repair-');
    try {
      const L = path.join(dir, 'lib');
      const remoteRoot = path.join(dir, 'remote');
      fs.mkdirSync(remoteRoot); // an fs remote's root must exist
      const t = (...args: string[]) => runCli(['--library', L, ...args]);
      expect((await t('init')).code).toBe(0);
      expect((await t('remote', 'set', 'fs', `root=${remoteRoot}`)).code).toBe(0);
      const files = ['a.bin', 'b.bin', 'c.bin'].map((n, i) => {
        const f = path.join(dir, n);
        fs.writeFileSync(f, Buffer.alloc(40_000 + i * 1000, `${n} content `));
        return f;
      });
      const sha1s = files.map((f) => createHash('sha1').update(fs.readFileSync(f)).digest('hex'));
      for (const [i, f] of files.entries()) expect((await t('add', f, '--system', 'S', '--release', `R${i} (USA)`)).code).toBe(0);
      expect((await t('upload')).code).toBe(0);

      // One object rotted on the remote, one deleted: both repaired from the good local copies.
      rot(blobFile(remoteRoot, sha1s[0]!));
      fs.rmSync(blobFile(remoteRoot, sha1s[1]!));
      const repair = await t('upload', '--verify');
      expect(repair.code, repair.stderr).toBe(0);
      expect(repair.stdout).toContain('Verified 3 remote object(s): 2 missing or damaged; 2 repaired');
      expect(repair.stdout).toContain(`repaired rom/${sha1s[0]!.slice(0, 2)}/${sha1s[0]}.zst (damaged)`);
      expect(repair.stdout).toContain(`repaired rom/${sha1s[1]!.slice(0, 2)}/${sha1s[1]}.zst (missing)`);
      const again = await t('upload', '--verify', '--json');
      expect(again.code, again.stderr).toBe(0);
      const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!);
      expect(result.verify).toMatchObject({ checked: 3, bad: [], repaired: [], unrepaired: [] });

      // Now this device's own copy rotted too: the damaged remote object stays, the run says so
      // and exits 4, and the damaged local copy is not uploaded.
      rot(blobFile(remoteRoot, sha1s[2]!));
      rot(blobFile(path.join(L, 'store'), sha1s[2]!));
      const remoteBefore = fs.readFileSync(blobFile(remoteRoot, sha1s[2]!));
      const stuck = await t('upload', '--verify', '--json');
      expect(stuck.code).toBe(4);
      const r2 = JSON.parse(stuck.stdout.trim().split('\n').at(-1)!);
      expect(r2.verify.repaired).toEqual([]);
      expect(r2.verify.unrepaired.map((b: { sha1: string }) => b.sha1)).toEqual([sha1s[2]]);
      expect(r2.uploaded).toBe(0);
      expect(stuck.stderr).toContain('trove verify');
      expect(stuck.stderr).toContain(sha1s[2]);
      expect(fs.readFileSync(blobFile(remoteRoot, sha1s[2]!)).equals(remoteBefore)).toBe(true);
      const text = await t('upload', '--verify');
      expect(text.code).toBe(4);
      expect(text.stderr).toContain('the local copy is damaged and was not uploaded');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
