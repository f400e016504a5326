// `trove remote set fs` and every command on an fs remote whose folder is missing (a NAS not mounted);
// what a remote's configuration may leak (the shared log, `remote show`) and how a wrong or
// incomplete one is reported (QA2-D D2, D4, D5, D11), on fs and s3rver.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { startS3rver, type S3Server } from '../helpers/s3rver.js';

describe('an fs remote whose root is missing', () => {
  let root: string;
  let lib: string;
  let mountPoint: string;
  let nas: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    mountPoint = path.join(root, 'mnt', 'nas');
    fs.mkdirSync(mountPoint, { recursive: true });
    nas = path.join(mountPoint, 'trove');
    expect((await t('init')).code).toBe(0);
    fs.writeFileSync(path.join(root, 'game.bin'), 'game content');
    expect((await t('add', path.join(root, 'game.bin'), '--system', 'S', '--release', 'G (USA)')).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  // QA-A #10: `remote set` accepted it, `remote check` said reachable, `upload` created the folder on
  // the local disk, and `drop` then freed the local copies.
  it('is refused by `remote set` (exit 5, nothing saved, nothing created) unless --create', async () => {
    const r = await t('remote', 'set', 'fs', `root=${nas}`, '--json');
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'REMOTE_UNAVAILABLE', message: expect.stringContaining(`${nas} does not exist (not mounted?)`) });
    expect(r.stderr).toContain('--create');
    expect(fs.readdirSync(mountPoint)).toEqual([]);
    expect(JSON.parse((await t('remote', 'show', '--json')).stdout).remote).toBeNull();

    const created = await t('remote', 'set', 'fs', `root=${nas}`, '--create');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('folder created');
    expect(fs.statSync(nas).isDirectory()).toBe(true);
  });

  it('makes check, upload, drop and sync fail with exit 5 naming the folder, and writes nothing there', async () => {
    expect((await t('upload')).code).toBe(0);
    fs.rmSync(nas, { recursive: true }); // the NAS is unmounted
    fs.writeFileSync(path.join(root, 'new.bin'), 'new content');
    expect((await t('add', path.join(root, 'new.bin'), '--system', 'S', '--release', 'N (USA)')).code).toBe(0); // pending upload
    const check = await t('remote', 'check');
    expect(check.code).toBe(5);
    expect(check.stdout + check.stderr).toContain(`${nas} does not exist (not mounted?)`);
    for (const args of [['upload'], ['drop', 'G (USA)'], ['sync', 'push'], ['sync', 'status']]) {
      const r = await t(...args);
      expect(r.code, args.join(' ')).toBe(5);
      expect(r.stderr, args.join(' ')).toContain(`${nas} does not exist (not mounted?)`);
      expect(fs.readdirSync(mountPoint), args.join(' ')).toEqual([]);
      // The summary counts the file drop could not confirm as kept (it used to say "0 kept").
      if (args[0] === 'drop') expect(r.stdout).toMatch(/dropped 0 local blob\(s\).*; 1 kept because their remote copy could not be confirmed/);
    }
    // The local copy is still there: drop freed nothing.
    expect(JSON.parse((await t('ls', 'files', '--json')).stdout)[0].availability).not.toBe('CloudOnly');
  });
});

/** The remote setting as an older trove could have stored it (it accepted any option). */
function storeRemoteSetting(lib: string, value: unknown): void {
  const db = new Database(path.join(lib, 'state.db'));
  try {
    db.prepare("INSERT INTO setting (key, value) VALUES ('remote', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(JSON.stringify(value));
  } finally {
    db.close();
  }
}

function syncLog(lib: string): { state: string; last_error: string | null }[] {
  const db = new Database(path.join(lib, 'collection.db'), { readonly: true });
  try {
    return db.prepare('SELECT state, last_error FROM file_sync_log').all() as { state: string; last_error: string | null }[];
  } finally {
    db.close();
  }
}

const fileHolds = (file: string, text: string) => fs.readFileSync(file).includes(Buffer.from(text));

describe('the shared sync log holds no remote description (QA2-D D11)', () => {
  let root: string;
  let s3: S3Server;
  const PASSWORD = 'UrlSecret999';
  const MISSING = 'missing-bucket-x';
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    s3 = await startS3rver('trove');
    root = tempDir('trove-cli-remote-leak-');
    fs.writeFileSync(path.join(root, 'g1.bin'), 'game one content');
  });
  afterAll(async () => {
    await s3?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const t = async (lib: string, ...args: string[]) => {
    const r = await runCli(['--library', path.join(root, lib), ...args], {
      env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', XDG_CONFIG_HOME: path.join(root, 'config') },
    });
    outputs.push(r);
    return r;
  };

  it('s3: a failed upload (endpoint with a password, as an older trove stored it) leaves neither the bucket, the endpoint nor the password in collection.db, here or on a device that pulls it', async () => {
    const hostPort = s3.endpoint.replace('http://', '');
    expect((await t('R', 'init')).code).toBe(0);
    // `remote set` refuses the password now (below); an older trove stored it as typed.
    storeRemoteSetting(path.join(root, 'R'), { scheme: 's3', options: { bucket: MISSING, endpoint: `http://S3RVER:${PASSWORD}@${hostPort}`, region: 'us-east-1', root: '/r' } });
    expect((await t('R', 'add', path.join(root, 'g1.bin'), '--system', 'S', '--release', 'R (USA)')).code).toBe(0);
    const up = await t('R', 'upload');
    expect(up.code).toBe(5);
    // This device's own output names the remote (without the password).
    expect(up.stderr).toContain(`s3://${MISSING}/r at ${s3.endpoint}`);
    const [row] = syncLog(path.join(root, 'R'));
    expect(row).toEqual({ state: 'UploadFailed', last_error: expect.stringMatching(/^REMOTE_CONFIG: upload rom\/[0-9a-f]{2}\/[0-9a-f]{40}\.zst: config invalid \(HTTP 404 NoSuchBucket\)$/) });

    // The user fixes the remote and pushes; another device pulls.
    expect((await t('R', 'remote', 'set', 's3', 'bucket=trove', `endpoint=${s3.endpoint}`, 'region=us-east-1', 'root=/r')).code).toBe(0);
    expect((await t('R', 'sync', 'push')).code).toBe(0);
    expect((await t('R2', 'init')).code).toBe(0);
    expect((await t('R2', 'remote', 'set', 's3', 'bucket=trove', `endpoint=${s3.endpoint}`, 'region=us-east-1', 'root=/r')).code).toBe(0);
    expect((await t('R2', 'sync', 'pull')).code).toBe(0);
    expect(syncLog(path.join(root, 'R2'))).toEqual([row]);
    for (const lib of ['R', 'R2']) {
      for (const leak of [MISSING, hostPort, PASSWORD]) expect(fileHolds(path.join(root, lib, 'collection.db'), leak), `${lib} ${leak}`).toBe(false);
    }
    for (const r of outputs) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('s3: `remote set` refuses an endpoint with user:password@ (nothing saved, the password not echoed)', async () => {
    expect((await t('U', 'init')).code).toBe(0);
    const r = await t('U', 'remote', 'set', 's3', 'bucket=trove', `endpoint=http://S3RVER:${PASSWORD}@127.0.0.1:9`, 'region=us-east-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('endpoint must not hold a user name or password');
    expect(r.stderr).toContain('trove remote credentials');
    expect(r.stderr).not.toContain(PASSWORD);
    expect(JSON.parse((await t('U', 'remote', 'show', '--json')).stdout).remote).toBeNull();
    expect(fileHolds(path.join(root, 'U', 'state.db'), PASSWORD)).toBe(false);
  });

  it('fs: a failed upload does not put the remote folder into collection.db, which the next push carries to every device', async () => {
    const broken = path.join(root, 'private-share-one');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'rom'), 'a file where a folder should be'); // every rom/ write fails
    const good = path.join(root, 'remote-two');
    fs.mkdirSync(good);
    expect((await t('F', 'init')).code).toBe(0);
    expect((await t('F', 'remote', 'set', 'fs', `root=${broken}`)).code).toBe(0);
    expect((await t('F', 'add', path.join(root, 'g1.bin'), '--system', 'S', '--release', 'F (USA)')).code).toBe(0);
    const up = await t('F', 'upload');
    expect(up.code).toBe(5);
    expect(up.stderr).toContain(`fs:${broken}`);
    const [row] = syncLog(path.join(root, 'F'));
    expect(row!.state).toBe('UploadFailed');
    expect(row!.last_error).toMatch(/^REMOTE_\w+: upload rom\/[0-9a-f]{2}\/[0-9a-f]{40}\.zst/);
    expect((await t('F', 'remote', 'set', 'fs', `root=${good}`)).code).toBe(0);
    expect((await t('F', 'sync', 'push')).code).toBe(0);
    expect((await t('F2', 'init')).code).toBe(0);
    expect((await t('F2', 'remote', 'set', 'fs', `root=${good}`)).code).toBe(0);
    expect((await t('F2', 'sync', 'pull')).code).toBe(0);
    expect(syncLog(path.join(root, 'F2'))).toEqual([row]);
    for (const lib of ['F', 'F2']) expect(fileHolds(path.join(root, lib, 'collection.db'), 'private-share-one'), lib).toBe(false);
  });
});

describe('s3 remote configuration through the CLI (QA2-D D2, D4, D5)', () => {
  let root: string;
  let s3: S3Server;
  const SSE_KEY = 'U1NFQ0tFWVNFQ1JFVFNTRUNLRVlTRUNSRVQxMjM0NTY=';
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    s3 = await startS3rver('trove');
    root = tempDir('trove-cli-remote-s3cfg-');
    fs.writeFileSync(path.join(root, 'g1.bin'), 'game one content');
  });
  afterAll(async () => {
    await s3?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const t = async (lib: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string) => {
    const r = await runCli(['--library', path.join(root, lib), ...args], {
      env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: '', AWS_DEFAULT_REGION: '', XDG_CONFIG_HOME: path.join(root, 'config'), ...env },
      input,
    });
    outputs.push(r);
    return r;
  };
  const s3args = (...extra: string[]) => ['remote', 'set', 's3', 'bucket=trove', `endpoint=${s3.endpoint}`, ...extra];

  it('an SSE-C key is refused on the command line, goes into the 0600 credentials file, is used, and is never printed or stored in the library (D2)', async () => {
    expect((await t('C', ['init'])).code).toBe(0);
    const refused = await t('C', s3args('region=us-east-1', 'root=/c', 'server_side_encryption_customer_algorithm=AES256', `server_side_encryption_customer_key=${SSE_KEY}`));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/server_side_encryption_customer_key is a credential.*trove remote credentials/);
    expect(JSON.parse((await t('C', ['remote', 'show', '--json'])).stdout).remote).toBeNull();

    const stored = await t('C', ['remote', 'credentials'], {}, `server_side_encryption_customer_key=${SSE_KEY}\n`);
    expect(stored.code, stored.stderr).toBe(0);
    expect(fs.statSync(path.join(root, 'config', 'trove', 'credentials')).mode & 0o777).toBe(0o600);
    expect((await t('C', s3args('region=us-east-1', 'root=/c', 'server_side_encryption_customer_algorithm=AES256'))).code).toBe(0);
    const show = await t('C', ['remote', 'show']);
    expect(show.stdout).toContain('server_side_encryption_customer_key = **** (from credentials file)');
    expect(JSON.parse((await t('C', ['remote', 'show', '--json'])).stdout).credentials.server_side_encryption_customer_key).toEqual({ value: '****', source: 'credentials file' });
    expect((await t('C', ['add', path.join(root, 'g1.bin'), '--system', 'S', '--release', 'C (USA)'])).code).toBe(0);
    const up = await t('C', ['upload', '--verify']);
    expect(up.code, up.stderr).toBe(0);
    for (const db of ['state.db', 'collection.db']) expect(fileHolds(path.join(root, 'C', db), SSE_KEY), db).toBe(false);

    // A key an older trove stored in state.db is masked by `remote show` (allow-list, not a name pattern).
    expect((await t('O', ['init'])).code).toBe(0);
    storeRemoteSetting(path.join(root, 'O'), { scheme: 's3', options: { bucket: 'trove', region: 'us-east-1', endpoint: s3.endpoint, server_side_encryption_customer_key: SSE_KEY, external_id: 'ext-id-0042' } });
    const old = await t('O', ['remote', 'show']);
    expect(old.stdout).toContain('server_side_encryption_customer_key = ****');
    expect(old.stdout).toContain('external_id = ****');
    const oldJson = JSON.parse((await t('O', ['remote', 'show', '--json'])).stdout);
    expect(oldJson.options).toMatchObject({ server_side_encryption_customer_key: '****', bucket: 'trove' });
    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toContain(SSE_KEY);
      expect(r.stdout + r.stderr).not.toContain('ext-id-0042');
    }
  });

  it('a mistyped option or a missing region is refused by `remote set`; an older config without region says why it fails (D4)', async () => {
    expect((await t('D', ['init'])).code).toBe(0);
    const typo = await t('D', s3args('regoin=us-east-1', 'root=/d'));
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('unknown s3 remote option "regoin" (did you mean region?); valid options: bucket, endpoint, region, root, profile');
    const noRegion = await t('D', s3args('root=/d'));
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).toContain('an s3 remote needs region=<region>');
    expect(JSON.parse((await t('D', ['remote', 'show', '--json'])).stdout).remote).toBeNull();

    storeRemoteSetting(path.join(root, 'D'), { scheme: 's3', options: { bucket: 'trove', endpoint: s3.endpoint, root: '/d' } });
    const check = await t('D', ['remote', 'check']);
    expect(check.code).toBe(5);
    expect(check.stderr).toContain(`remote s3://trove/d at ${s3.endpoint}: config invalid: region is missing`);
  });

  it('no credentials at all: AUTH (exit 5) saying what to set, at once, no retries, no talk of EC2 metadata (D5)', async () => {
    const none = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', XDG_CONFIG_HOME: path.join(root, 'empty-config') };
    expect((await t('N', ['init'])).code).toBe(0);
    expect((await t('N', s3args('region=us-east-1', 'root=/n'))).code).toBe(0);
    const check = await t('N', ['remote', 'check'], none);
    expect(check.code).toBe(5);
    expect(check.stderr).toContain(`no credentials for the s3 remote s3://trove/n at ${s3.endpoint}: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or run \`trove remote credentials\``);
    expect(check.stdout + check.stderr).not.toMatch(/reachable: NO|EC2|Metadata/i);
    expect(JSON.parse((await t('N', ['remote', 'check', '--json'], none)).stdout).error).toMatchObject({ code: 'AUTH' });
    expect((await t('N', ['add', path.join(root, 'g1.bin'), '--system', 'S', '--release', 'N (USA)'])).code).toBe(0);
    const up = await t('N', ['upload', '--json'], none);
    expect(up.code).toBe(5);
    expect(up.stdout).not.toContain('"type":"retry"');
    expect(up.stderr + up.stdout).toContain('no credentials for the s3 remote');
    expect(syncLog(path.join(root, 'N')).map((r) => r.state)).toEqual(['UploadPending']);
  });
});
