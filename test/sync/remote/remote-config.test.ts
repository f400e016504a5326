import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsFilePath, loadCredentials, saveCredentials } from '../../../src/sync/remote/credentials-file.js';
import { parseRemoteArgs, remoteFor, resolveRemote } from '../../../src/sync/remote/remote-config.js';
import { tempDir } from '../../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function configHome(): string {
  const d = tempDir('trove-cfg-');
  dirs.push(d);
  return d;
}

describe('credentials file', () => {
  it('lives under $XDG_CONFIG_HOME/trove and is created with mode 0600 in a 0700 folder', async () => {
    const home = configHome();
    const file = credentialsFilePath({ XDG_CONFIG_HOME: home });
    expect(file).toBe(path.join(home, 'trove', 'credentials'));
    await saveCredentials(file, 'default', { access_key_id: 'AKIDEXAMPLE1234', secret_access_key: 'sekrit/value' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(loadCredentials(file, 'default')).toEqual({
      credentials: { access_key_id: 'AKIDEXAMPLE1234', secret_access_key: 'sekrit/value' },
      tooOpen: false,
      exists: true,
    });
  });

  it('narrows a file that was made readable by others back to 0600 when rewritten, and reports it as too open meanwhile', async () => {
    const file = credentialsFilePath({ XDG_CONFIG_HOME: configHome() });
    await saveCredentials(file, 'default', { access_key_id: 'A' });
    fs.chmodSync(file, 0o644);
    expect(loadCredentials(file, 'default').tooOpen).toBe(true);
    await saveCredentials(file, 'other', { access_key_id: 'B' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadCredentials(file, 'default').credentials.access_key_id).toBe('A');
    expect(loadCredentials(file, 'other').credentials.access_key_id).toBe('B');
  });

  it('rejects a malformed line without echoing its content', () => {
    const home = configHome();
    const file = credentialsFilePath({ XDG_CONFIG_HOME: home });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '[default]\nsecret_acces_key = TOPSECRETVALUE\n', { mode: 0o600 });
    expect(() => loadCredentials(file, 'default')).toThrow(/line 2/);
    try {
      loadCredentials(file, 'default');
    } catch (err) {
      expect((err as Error).message).not.toContain('TOPSECRETVALUE');
    }
  });
});

describe('resolveRemote', () => {
  it('takes credentials from the file, lets the environment override them, and masks them for display', async () => {
    const home = configHome();
    await saveCredentials(credentialsFilePath({ XDG_CONFIG_HOME: home }), 'default', { access_key_id: 'FILEKEYID0000001', secret_access_key: 'file-secret' });
    const cfg = parseRemoteArgs('s3', ['bucket=b', 'endpoint=http://127.0.0.1:9', 'region=us-east-1']);
    const fromFile = resolveRemote(cfg, { XDG_CONFIG_HOME: home });
    expect(fromFile.options.secret_access_key).toBe('file-secret');
    expect(fromFile.sources).toEqual({ access_key_id: 'credentials file', secret_access_key: 'credentials file' });
    const fromEnv = resolveRemote(cfg, { XDG_CONFIG_HOME: home, AWS_SECRET_ACCESS_KEY: 'env-secret' });
    expect(fromEnv.options.secret_access_key).toBe('env-secret');
    expect(fromEnv.options.access_key_id).toBe('FILEKEYID0000001');
    expect(fromEnv.sources.secret_access_key).toBe('environment');
    expect(JSON.stringify(fromEnv.masked)).not.toMatch(/env-secret|FILEKEYID0000001/);
    expect(fromEnv.masked.access_key_id).toBe('****0001');
  });

  it('refuses credentials given as remote options on the command line', () => {
    expect(() => parseRemoteArgs('s3', ['bucket=b', 'secret_access_key=x'])).toThrow(/credential/);
  });
});

describe('secrets that are not access keys (QA2-D D2)', () => {
  const SSE_KEY = 'U1NFQ0tFWVNFQ1JFVFNTRUNLRVlTRUNSRVQxMjM0NTY=';

  it('refuses an SSE-C key on the command line and says to use the credentials file', () => {
    const args = ['bucket=b', 'region=us-east-1', 'server_side_encryption_customer_algorithm=AES256', `server_side_encryption_customer_key=${SSE_KEY}`];
    expect(() => parseRemoteArgs('s3', args)).toThrow(/server_side_encryption_customer_key is a credential.*trove remote credentials/);
    expect(() => parseRemoteArgs('s3', args)).not.toThrow(SSE_KEY);
  });

  it('takes the SSE-C key from the 0600 credentials file, derives its MD5, and masks it for display', async () => {
    const home = configHome();
    const file = credentialsFilePath({ XDG_CONFIG_HOME: home });
    await saveCredentials(file, 'default', { access_key_id: 'AKIDEXAMPLE1234', secret_access_key: 's', server_side_encryption_customer_key: SSE_KEY });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const r = resolveRemote(parseRemoteArgs('s3', ['bucket=b', 'region=us-east-1']), { XDG_CONFIG_HOME: home });
    expect(r.options.server_side_encryption_customer_key).toBe(SSE_KEY);
    // base64(md5(raw key)), as S3 wants it beside the key.
    expect(r.options.server_side_encryption_customer_key_md5).toBe('FDzw17L1hAKDWwN+gsjyBA==');
    expect(r.options.server_side_encryption_customer_algorithm).toBe('AES256');
    expect(r.sources.server_side_encryption_customer_key).toBe('credentials file');
    expect(r.masked.server_side_encryption_customer_key).toBe('****');
  });
});

describe('no credentials (QA2-D D5)', () => {
  it('switches off OpenDAL\'s own credential fallbacks (~/.aws/config, EC2 instance metadata)', () => {
    const r = resolveRemote(parseRemoteArgs('s3', ['bucket=b', 'region=us-east-1']), { XDG_CONFIG_HOME: configHome() });
    expect(r.options).toMatchObject({ disable_config_load: 'true', disable_ec2_metadata: 'true' });
  });

  it('is an AUTH error naming what to set, before any request', () => {
    const cfg = parseRemoteArgs('s3', ['bucket=b', 'region=us-east-1', 'endpoint=http://127.0.0.1:9']);
    const home = configHome();
    expect(() => remoteFor(resolveRemote(cfg, { XDG_CONFIG_HOME: home }))).toThrow(
      expect.objectContaining({
        code: 'AUTH',
        message: expect.stringMatching(/^no credentials for the s3 remote s3:\/\/b at http:\/\/127\.0\.0\.1:9: set AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY or run `trove remote credentials`/),
      }),
    );
    expect(() => remoteFor(resolveRemote(cfg, { XDG_CONFIG_HOME: home, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE1234' }))).toThrow(/^no secret_access_key \(only access_key_id is set\)/);
    expect(remoteFor(resolveRemote(cfg, { XDG_CONFIG_HOME: home, AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S' })).description).toBe('s3://b at http://127.0.0.1:9');
    // fs needs none.
    expect(() => remoteFor(resolveRemote({ scheme: 'fs', options: { root: home } }, { XDG_CONFIG_HOME: home }))).not.toThrow();
  });
});
