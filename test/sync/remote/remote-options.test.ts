// Which remote options `remote set` takes, which are printed, which are secrets (QA2-D D2, D4, D11).
import { describe, expect, it } from 'vitest';
import {
  checkRemoteOptions,
  displayOptions,
  endpointForDisplay,
  endpointUserinfo,
  secretValues,
  storableOptions,
} from '../../../src/sync/remote/remote-options.js';

const S3 = { bucket: 'b', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', root: '/r' };
const SSE_KEY = 'U1NFQ0tFWVNFQ1JFVFNTRUNLRVlTRUNSRVQxMjM0NTY=';

describe('endpointForDisplay / endpointUserinfo', () => {
  it.each([
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000', undefined],
    ['http://S3RVER:UrlSecret999@127.0.0.1:9000', 'http://127.0.0.1:9000', 'S3RVER:UrlSecret999'],
    ['https://user@s3.example.com/base/', 'https://s3.example.com/base/', 'user'],
    ['https://u:p%40ss@host/x?token=abc#frag', 'https://host/x', 'u:p%40ss'],
    ['u:pw@minio.local:9000', 'minio.local:9000', 'u:pw'],
    ['minio.local:9000', 'minio.local:9000', undefined],
  ])('%s', (endpoint, shown, userinfo) => {
    expect(endpointForDisplay(endpoint)).toBe(shown);
    expect(endpointUserinfo(endpoint)).toBe(userinfo);
  });
});

describe('checkRemoteOptions', () => {
  it('accepts a plain s3 configuration and the non-secret SSE options', () => {
    expect(() => checkRemoteOptions('s3', { ...S3, profile: 'p', server_side_encryption_customer_algorithm: 'AES256', server_side_encryption: 'aws:kms' })).not.toThrow();
    expect(() => checkRemoteOptions('fs', { root: '/x' })).not.toThrow();
  });

  it.each(['server_side_encryption_customer_key', 'server_side_encryption_customer_key_md5', 'secret_access_key', 'access_key_id', 'session_token', 'password', 'security_token'])(
    'refuses %s as a credential, saying where it goes, without echoing the value',
    (key) => {
      let err: Error | undefined;
      try {
        checkRemoteOptions('s3', { ...S3, [key]: SSE_KEY });
      } catch (e) {
        err = e as Error;
      }
      expect(err).toMatchObject({ code: 'BAD_INPUT' });
      expect(err!.message).toContain(`${key} is a credential`);
      expect(err!.message).toContain('trove remote credentials');
      expect(err!.message).not.toContain(SSE_KEY);
    },
  );

  it('refuses an unknown option name, suggesting the near one and listing the valid ones', () => {
    expect(() => checkRemoteOptions('s3', { bucket: 'b', regoin: 'us-east-1' })).toThrow(/unknown s3 remote option "regoin" \(did you mean region\?\); valid options: bucket, endpoint, region, root, profile/);
    expect(() => checkRemoteOptions('fs', { root: '/x', bucket: 'b' })).toThrow(/unknown fs remote option "bucket"; valid options: root$/);
  });

  it('requires bucket and region for s3', () => {
    expect(() => checkRemoteOptions('s3', { bucket: 'b', endpoint: 'http://h' })).toThrow(/needs region=<region>/);
    expect(() => checkRemoteOptions('s3', { bucket: 'b', region: '' })).toThrow(/needs region=<region>/);
    expect(() => checkRemoteOptions('s3', { region: 'us-east-1' })).toThrow(/needs bucket=<name>/);
  });

  it('refuses an endpoint carrying a user name or password, without echoing it', () => {
    const attempt = () => checkRemoteOptions('s3', { ...S3, endpoint: 'http://S3RVER:UrlSecret999@127.0.0.1:9000' });
    expect(attempt).toThrow(/endpoint must not hold a user name or password/);
    expect(attempt).toThrow(/trove remote credentials/);
    expect(attempt).not.toThrow(/UrlSecret999/);
  });
});

describe('displayOptions / storableOptions / secretValues', () => {
  // What an older trove may have stored: anything.
  const stored = { ...S3, endpoint: 'http://S3RVER:UrlSecret999@127.0.0.1:9000', server_side_encryption_customer_key: SSE_KEY, role_arn: 'arn:aws:iam::1:role/x', regoin: 'x' };

  it('prints only allow-listed options in clear (endpoint without userinfo); anything else is ****', () => {
    expect(displayOptions('s3', stored)).toEqual({
      bucket: 'b',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      root: '/r',
      server_side_encryption_customer_key: '****',
      role_arn: '****',
      regoin: '****',
    });
  });

  it('stores only allow-listed options', () => {
    expect(Object.keys(storableOptions('s3', stored))).toEqual(['bucket', 'endpoint', 'region', 'root']);
  });

  it('scrubs the values of everything not allow-listed, and the userinfo and password of the endpoint', () => {
    const secrets = secretValues('s3', { ...stored, secret_access_key: 'sekrit', disable_ec2_metadata: 'true' });
    expect(secrets).toEqual(expect.arrayContaining([SSE_KEY, 'sekrit', 'S3RVER:UrlSecret999', 'UrlSecret999']));
    expect(secrets).not.toContain('true'); // trove's own switches are not secrets
    expect(secrets).not.toContain('us-east-1');
  });
});
