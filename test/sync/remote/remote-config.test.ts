import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsFilePath, loadCredentials, saveCredentials } from '../../../src/sync/remote/credentials-file.js';
import { parseRemoteArgs, resolveRemote } from '../../../src/sync/remote/remote-config.js';
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
    const cfg = parseRemoteArgs('s3', ['bucket=b', 'endpoint=http://127.0.0.1:9']);
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
