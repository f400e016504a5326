// What `file_sync_log.last_error` may hold. The log lives in collection.db, which is uploaded with
// every snapshot and pulled by every device, so it must not carry anything device-local: not the
// remote's description (bucket, root, endpoint — possibly with a `user:password@` an older trove
// accepted), not local paths. It keeps what another device can use: the error code, the operation
// and key, and for a remote failure the server's answer as OpenDAL classified it (kind, HTTP status,
// S3 error code). The full message, naming the remote, goes only to this device's output.
//
// `LogError` is a branded string: `applyEvent` takes nothing else, so an `err.message` cannot reach
// the shared log by accident.
import type { ErrorCode, TroveError } from '../../store/errors.js';
import { describeFailure } from '../remote/remote-errors.js';

export type LogError = string & { readonly __sharedLogText: true };

/** Short, device-neutral words for failures that are not a server's answer. */
const REASONS: Partial<Record<ErrorCode, string>> = {
  CHECKSUM_MISMATCH: 'content does not match its SHA1 or size',
  CORRUPT_BLOB: 'not a valid trove blob',
  NOT_FOUND: 'object missing',
  NO_SPACE: 'no space left on this device',
  IO: 'local I/O error',
  INTERRUPTED: 'interrupted',
};

/** The shared-log text for `err`, raised while doing `op` ("upload", "delete", "verify") on `key`. */
export function logError(op: string, key: string, err: TroveError): LogError {
  const d = err.details;
  const remote =
    typeof d.opendalKind === 'string'
      ? describeFailure({
          kind: d.opendalKind,
          temporary: false,
          httpStatus: typeof d.httpStatus === 'number' ? d.httpStatus : undefined,
          serviceCode: typeof d.serviceCode === 'string' && /^\w{1,64}$/.test(d.serviceCode) ? d.serviceCode : undefined,
        })
      : undefined;
  const reason = remote ?? REASONS[err.code];
  return `${err.code}: ${op} ${key}${reason ? `: ${reason}` : ''}` as LogError;
}

/** A fixed note of trove's own (no outside text in it) for the shared log. */
export function logNote(text: string): LogError {
  return text as LogError;
}
