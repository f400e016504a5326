// What file_sync_log.last_error (collection.db, pushed to every device) may hold (QA2-D D11).
import { describe, expect, it } from 'vitest';
import { TroveError } from '../../../src/store/errors.js';
import { logError, logNote } from '../../../src/sync/transfer/log-error.js';
import { mapOpendalError } from '../../../src/sync/remote/opendal-remote.js';

const KEY = 'rom/74/74cf0000000000000000000000000000000000000.zst';
const WHERE = 'write rom/74/… on s3://private-bucket/team at http://S3RVER:UrlSecret999@10.0.0.5:9000';

describe('logError', () => {
  it('keeps the code, the operation, the key and the server answer; drops the remote description', () => {
    const err = mapOpendalError(
      'ConfigInvalid (permanent) at write, context: { uri: http://10.0.0.5:9000/private-bucket/team/x, response: Parts { status: 404 }, service: s3 } => S3Error { code: "NoSuchBucket", message: "x" }',
      WHERE,
    );
    expect(err.message).toContain('s3://private-bucket'); // the device-local message names the remote
    const text = logError('upload', KEY, err);
    expect(text).toBe(`REMOTE_CONFIG: upload ${KEY}: config invalid (HTTP 404 NoSuchBucket)`);
    for (const leak of ['private-bucket', '10.0.0.5', 'UrlSecret999', 'team']) expect(text).not.toContain(leak);
  });

  it('drops a transport failure source (it holds the URL) and keeps only its kind', () => {
    const err = mapOpendalError(
      'Unexpected (temporary) at write, context: { url: http://10.0.0.5:9000/b/x } => send http request, source: error sending request for url (http://10.0.0.5:9000/private-bucket/x)',
      WHERE,
    );
    expect(err.message).toContain('error sending request');
    expect(logError('delete', KEY, err)).toBe(`REMOTE_UNAVAILABLE: delete ${KEY}: unexpected`);
  });

  it('words local failures by their code only (their messages name local paths and the remote)', () => {
    const err = new TroveError('CHECKSUM_MISMATCH', `/home/someone/lib/store/${KEY}: sha1 mismatch (run trove verify) on fs:/mnt/nas/secret-share`);
    expect(logError('upload', KEY, err)).toBe(`CHECKSUM_MISMATCH: upload ${KEY}: content does not match its SHA1 or size`);
    expect(logError('verify', KEY, new TroveError('REMOTE_ERROR', `verify on fs:/mnt/nas: injected`))).toBe(`REMOTE_ERROR: verify ${KEY}`);
  });

  it('never copies a service code that is not a plain word', () => {
    const err = new TroveError('REMOTE_ERROR', 'x', { details: { opendalKind: 'Unexpected', httpStatus: 400, serviceCode: 'http://u:p@h/' } });
    expect(logError('upload', KEY, err)).toBe(`REMOTE_ERROR: upload ${KEY}: unexpected (HTTP 400)`);
  });

  it('passes trove\'s own fixed notes through', () => {
    expect(logNote('upload it again')).toBe('upload it again');
  });
});
