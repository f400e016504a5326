// What a remote failure means, decided on structured facts (OpenDAL's error kind, its
// temporary/permanent status, the HTTP status and the S3 error code), never on human text.
//
// The Node binding of OpenDAL 0.49 exposes only `code: "GenericFailure"`; the kind, status and HTTP
// response are in the error's Display form, which has a fixed grammar:
//   `<Kind> (<permanent|temporary|persistent>) at <op>, context: { … status: <NNN> … } => S3Error { code: "<Code>" …`
// `parseOpendalFailure` reads those fields once, at the boundary; everything after works on the
// resulting plain object (`classifyRemoteFailure`, `isRetryableCode` are pure and table-tested).
import type { ErrorCode } from '../../store/errors.js';

export interface RemoteFailure {
  /** OpenDAL ErrorKind: NotFound, PermissionDenied, ConfigInvalid, RateLimited, Unexpected, … */
  kind: string;
  /** OpenDAL marked the error temporary (retrying may succeed: connection refused/reset, timeouts). */
  temporary: boolean;
  /** The HTTP status of the response, when there was one. */
  httpStatus?: number;
  /** The service's own error code (S3: NoSuchBucket, InvalidAccessKeyId, SlowDown, …). */
  serviceCode?: string;
}

const HEAD = /^(\w+) \((permanent|temporary|persistent)\)/;
const STATUS = /\bstatus: (\d{3})\b/;
const SERVICE_CODE = /\bS3Error \{ code: "(\w+)"/;

export function parseOpendalFailure(message: string): RemoteFailure {
  const head = HEAD.exec(message);
  const status = STATUS.exec(message);
  const service = SERVICE_CODE.exec(message);
  return {
    kind: head?.[1] ?? 'Unexpected',
    temporary: head?.[2] === 'temporary',
    httpStatus: status ? Number(status[1]) : undefined,
    serviceCode: service?.[1],
  };
}

/**
 * The TroveError code for a remote failure. Order matters: auth and configuration are decided
 * before "temporary", so a 403 is never retried even if a backend marks it temporary.
 */
export function classifyRemoteFailure(f: RemoteFailure): ErrorCode {
  const s = f.httpStatus;
  if (f.kind === 'PermissionDenied' || s === 401 || s === 403) return 'AUTH';
  if (f.serviceCode === 'NoSuchBucket') return 'REMOTE_CONFIG';
  if (f.kind === 'NotFound') return 'NOT_FOUND';
  if (f.kind === 'AlreadyExists' || f.kind === 'ConditionNotMatch' || s === 412) return 'ALREADY_EXISTS';
  if (f.kind === 'ConfigInvalid' || f.kind === 'Unsupported' || f.kind === 'IsADirectory' || f.kind === 'NotADirectory') return 'REMOTE_CONFIG';
  if (f.kind === 'RateLimited' || s === 429 || s === 408 || (s !== undefined && s >= 500)) return 'REMOTE_UNAVAILABLE';
  if (f.temporary) return 'REMOTE_UNAVAILABLE';
  // A permanent failure with no response (rare) or an unexpected 4xx.
  return 'REMOTE_ERROR';
}

/**
 * Whether an operation that failed with `code` may succeed if tried again later. Only transient
 * remote trouble (timeouts, connection refused/reset, 5xx, 429) qualifies; auth, configuration,
 * integrity and not-found failures never do — retrying them only hammers the server.
 */
export function isRetryableCode(code: ErrorCode): boolean {
  return code === 'REMOTE_UNAVAILABLE';
}

/**
 * Failures that concern the whole remote rather than one key: a run stops at the first one instead
 * of failing every queued item the same way (no retry storm against a server that said 403).
 */
export function stopsTheRun(code: ErrorCode): boolean {
  return code === 'AUTH' || code === 'REMOTE_CONFIG';
}

/**
 * OpenDAL's own words after `=>` on the first line ("region is missing. Please find it by …"), at
 * most 200 characters: what a configuration error needs to be fixable. Only for errors without a
 * server response (a response's text is the server's, and its status and S3 code say enough).
 */
export function opendalReason(message: string): string | undefined {
  const first = message.split('\n')[0]!;
  const at = first.indexOf(' => ');
  const reason = at < 0 ? '' : first.slice(at + 4).trim();
  return reason ? reason.slice(0, 200) : undefined;
}

/** A short phrase for people: "permission denied (HTTP 403 InvalidAccessKeyId)". */
export function describeFailure(f: RemoteFailure): string {
  const words = f.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const http = f.httpStatus !== undefined ? ` (HTTP ${f.httpStatus}${f.serviceCode ? ` ${f.serviceCode}` : ''})` : '';
  return `${words}${http}`;
}
