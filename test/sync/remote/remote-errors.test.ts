import { describe, expect, it } from 'vitest';
import { classifyRemoteFailure, isRetryableCode, opendalReason, parseOpendalFailure, stopsTheRun, type RemoteFailure } from '../../../src/sync/remote/remote-errors.js';
import type { ErrorCode } from '../../../src/store/errors.js';

describe('parseOpendalFailure', () => {
  it('reads kind, temporary flag, HTTP status and S3 code from OpenDAL error text', () => {
    const msg =
      'PermissionDenied (permanent) at read, context: { uri: http://127.0.0.1:1/b/k, response: Parts { status: 403, version: HTTP/1.1 }, service: s3 } => S3Error { code: "InvalidAccessKeyId", message: "x" }';
    expect(parseOpendalFailure(msg)).toEqual({ kind: 'PermissionDenied', temporary: false, httpStatus: 403, serviceCode: 'InvalidAccessKeyId' });
  });
  it('reads a transport failure without a response as temporary with no status', () => {
    const msg = 'Unexpected (temporary) at read, context: { url: http://127.0.0.1:1/b/k, called: http_util::Client::send } => send http request, source: error sending request';
    expect(parseOpendalFailure(msg)).toEqual({ kind: 'Unexpected', temporary: true, httpStatus: undefined, serviceCode: undefined });
  });
  it('treats text it cannot parse as a permanent Unexpected failure', () => {
    expect(parseOpendalFailure('boom')).toEqual({ kind: 'Unexpected', temporary: false, httpStatus: undefined, serviceCode: undefined });
  });
});

describe('classifyRemoteFailure and isRetryableCode', () => {
  const cases: [string, RemoteFailure, ErrorCode, boolean][] = [
    ['403 wrong access key', { kind: 'PermissionDenied', temporary: false, httpStatus: 403, serviceCode: 'InvalidAccessKeyId' }, 'AUTH', false],
    ['403 bad signature', { kind: 'PermissionDenied', temporary: false, httpStatus: 403, serviceCode: 'SignatureDoesNotMatch' }, 'AUTH', false],
    ['401 even if marked temporary', { kind: 'Unexpected', temporary: true, httpStatus: 401 }, 'AUTH', false],
    ['missing bucket (read/write/list)', { kind: 'ConfigInvalid', temporary: false, httpStatus: 404, serviceCode: 'NoSuchBucket' }, 'REMOTE_CONFIG', false],
    ['missing key', { kind: 'NotFound', temporary: false, httpStatus: 404, serviceCode: 'NoSuchKey' }, 'NOT_FOUND', false],
    ['fs missing file', { kind: 'NotFound', temporary: false }, 'NOT_FOUND', false],
    ['conditional write refused', { kind: 'ConditionNotMatch', temporary: false, httpStatus: 412 }, 'ALREADY_EXISTS', false],
    ['unsupported option', { kind: 'Unsupported', temporary: false }, 'REMOTE_CONFIG', false],
    ['429 slow down', { kind: 'RateLimited', temporary: true, httpStatus: 429 }, 'REMOTE_UNAVAILABLE', true],
    ['429 without the kind', { kind: 'Unexpected', temporary: false, httpStatus: 429 }, 'REMOTE_UNAVAILABLE', true],
    ['500', { kind: 'Unexpected', temporary: false, httpStatus: 500 }, 'REMOTE_UNAVAILABLE', true],
    ['503 slow down', { kind: 'Unexpected', temporary: true, httpStatus: 503, serviceCode: 'SlowDown' }, 'REMOTE_UNAVAILABLE', true],
    ['408 request timeout', { kind: 'Unexpected', temporary: false, httpStatus: 408 }, 'REMOTE_UNAVAILABLE', true],
    ['connection refused / reset / timeout', { kind: 'Unexpected', temporary: true }, 'REMOTE_UNAVAILABLE', true],
    ['unexpected 400', { kind: 'Unexpected', temporary: false, httpStatus: 400 }, 'REMOTE_ERROR', false],
  ];
  it.each(cases)('%s', (_name, failure, code, retryable) => {
    expect(classifyRemoteFailure(failure)).toBe(code);
    expect(isRetryableCode(code)).toBe(retryable);
  });

  it('stops a whole run only for remote-wide failures', () => {
    expect(stopsTheRun('AUTH')).toBe(true);
    expect(stopsTheRun('REMOTE_CONFIG')).toBe(true);
    expect(stopsTheRun('REMOTE_UNAVAILABLE')).toBe(false);
    expect(stopsTheRun('CHECKSUM_MISMATCH')).toBe(false);
  });
});

describe('opendalReason', () => {
  it('is OpenDAL\'s text after => on the first line, bounded', () => {
    expect(opendalReason('ConfigInvalid (permanent) at Builder::build, context: { service: s3 } => region is missing. Please find it by S3::detect_region() or set them in env.')).toBe(
      'region is missing. Please find it by S3::detect_region() or set them in env.',
    );
    expect(opendalReason('boom')).toBeUndefined();
    expect(opendalReason(`X (permanent) at y =>  ${'a'.repeat(500)}\nsecond line`)).toBe('a'.repeat(200));
  });
});
