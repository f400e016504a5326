// The contract suite against the three real OpenDAL backends: memory, fs (a temp folder) and s3
// (s3rver in a child process on 127.0.0.1).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRemote, OpendalRemote, redactOptions } from '../../../src/sync/remote/opendal-remote.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
import { tempDir } from '../../helpers/cli.js';
import { remoteContract } from './remote-contract.js';

let counter = 0;
const base = tempDir('trove-remote-');
let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

remoteContract({ name: 'memory', make: async () => new OpendalRemote({ scheme: 'memory', options: { root: `/t${++counter}` } }) });
remoteContract({
  name: 'fs',
  make: async () => {
    const root = path.join(base, `fs${++counter}`);
    fs.mkdirSync(root); // an fs remote's root must exist
    return new OpendalRemote({ scheme: 'fs', options: { root } });
  },
});
remoteContract({ name: 's3 (s3rver)', make: async () => new OpendalRemote({ scheme: 's3', options: s3.options(`/t${++counter}`) }) });

describe('what OpendalRemote says about itself (QA2-D D11, D2, D4)', () => {
  it('describes an s3 remote without the user:password@ of its endpoint', () => {
    const cfg = { scheme: 's3' as const, options: { bucket: 'b', root: '/r', endpoint: 'http://S3RVER:UrlSecret999@127.0.0.1:9' } };
    expect(describeRemote(cfg)).toBe('s3://b/r at http://127.0.0.1:9');
    expect(new OpendalRemote({ ...cfg, options: { ...cfg.options, region: 'us-east-1' } }).description).toBe('s3://b/r at http://127.0.0.1:9');
  });

  it('masks every option not known to be harmless, the SSE-C key included', () => {
    const shown = redactOptions({ scheme: 's3', options: { bucket: 'b', server_side_encryption_customer_key: 'KEYKEYKEY', server_side_encryption_customer_algorithm: 'AES256' } });
    expect(shown).toEqual({ bucket: 'b', server_side_encryption_customer_key: '****', server_side_encryption_customer_algorithm: 'AES256' });
  });

  it("keeps OpenDAL's reason for a configuration it refuses (a missing region), not just \"config invalid\"", () => {
    const open = () => new OpendalRemote({ scheme: 's3', options: { bucket: 'b', endpoint: 'http://127.0.0.1:9', access_key_id: 'AKIDEXAMPLE1234', secret_access_key: 'example-secret' } });
    expect(open).toThrow(expect.objectContaining({ code: 'REMOTE_CONFIG', message: expect.stringMatching(/^remote s3:\/\/b at http:\/\/127\.0\.0\.1:9: config invalid: region is missing/) }));
  });

  it('scrubs an endpoint password from OpenDAL\'s text even in a configuration stored by an older trove', async () => {
    const remote = new OpendalRemote({ scheme: 's3', options: { bucket: 'b', region: 'us-east-1', endpoint: 'http://u:UrlSecret999@127.0.0.1:1', access_key_id: 'AKIDEXAMPLE1234', secret_access_key: 'example-secret' } });
    const err = await remote.stat('k').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^stat k on s3:\/\/b at http:\/\/127\.0\.0\.1:1: /);
    expect(err?.message).not.toContain('UrlSecret999');
  });
});
