// Which remote options exist, which may be printed, and which are secrets. Decisions only (no I/O):
// `remote set` checks what the user typed against these tables, `remote show` / the TUI print
// through `displayOptions`, and `OpendalRemote` scrubs `secretValues` from OpenDAL's text.
//
// An allow-list, not a pattern: an option is printed only if it is known to be harmless. OpenDAL's
// s3 service (0.49) takes secrets whose names look like nothing secret (the SSE-C key
// `server_side_encryption_customer_key` decrypts every object), and a pattern of "secret-looking"
// names missed them. Anything not on the list is refused by `remote set`, shown as `****`, and its
// value scrubbed from error messages.
import { TroveError } from '../../store/errors.js';
import { editDistance } from '../diff/closest-ids.js';

export type RemoteScheme = 'fs' | 's3' | 'memory';

/**
 * Options `remote set` takes, by scheme; none of them holds a secret, so they are stored in state.db
 * and printed. s3: a subset of OpenDAL 0.49's `S3Config` (credentials, assume-role and the
 * config-loading switches are left out: credentials come from the environment or the credentials
 * file, see remote-config.ts), plus trove's own `profile` (which credentials-file profile to use).
 */
export const PUBLIC_OPTIONS: Record<RemoteScheme, readonly string[]> = {
  fs: ['root'],
  s3: [
    'bucket',
    'endpoint',
    'region',
    'root',
    'profile',
    'enable_virtual_host_style',
    'default_storage_class',
    'server_side_encryption',
    'server_side_encryption_aws_kms_key_id',
    'server_side_encryption_customer_algorithm',
    'checksum_algorithm',
    'enable_request_payer',
    'disable_stat_with_override',
    'disable_write_with_if_match',
    'disable_list_objects_v2',
  ],
  memory: ['root'],
};

/** Options trove sets itself when it opens the remote (never stored, never secret). */
export const INTERNAL_OPTIONS: readonly string[] = ['atomic_write_dir', 'disable_config_load', 'disable_ec2_metadata'];

/**
 * s3 options that are secrets, and where each goes instead of the command line. They reach the
 * operator only from the environment or the 0600 credentials file (credentials-file.ts).
 */
export const SECRET_S3_OPTIONS: Record<string, string> = {
  access_key_id: 'set AWS_ACCESS_KEY_ID in the environment or store it with `trove remote credentials`',
  secret_access_key: 'set AWS_SECRET_ACCESS_KEY in the environment or store it with `trove remote credentials`',
  session_token: 'set AWS_SESSION_TOKEN in the environment or store it with `trove remote credentials`',
  server_side_encryption_customer_key: 'store it with `trove remote credentials` (the 0600 credentials file); set server_side_encryption_customer_algorithm=AES256 with `remote set`',
  server_side_encryption_customer_key_md5: 'trove computes it from server_side_encryption_customer_key, which you store with `trove remote credentials`',
};

/** Names that look like a credential whatever the scheme: refused as one (never "unknown"). */
const CREDENTIAL_LOOKING = /secret|password|passwd|token|access_key|credential|customer_key|external_id|private/i;

const isPublic = (scheme: RemoteScheme, key: string) => PUBLIC_OPTIONS[scheme].includes(key);

/**
 * The endpoint as it may be shown: without `user:password@` (a URL may carry it; OpenDAL would
 * accept it), query or fragment. Works on endpoints without a scheme (`host:9000`) too.
 */
export function endpointForDisplay(endpoint: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/?#]*)([^?#]*)/.exec(endpoint)!;
  const authority = m[2]!;
  return `${m[1] ?? ''}${authority.slice(authority.lastIndexOf('@') + 1)}${m[3]}`;
}

/** The `user:password` part of an endpoint URL, if it has one. */
export function endpointUserinfo(endpoint: string): string | undefined {
  const authority = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/?#]*)/.exec(endpoint)![1]!;
  const at = authority.lastIndexOf('@');
  return at < 0 ? undefined : authority.slice(0, at);
}

/**
 * Refuse what `remote set` must not store: a secret (saying where it goes), an option the scheme
 * does not know (a typo such as `regoin` would otherwise be saved and ignored), an endpoint with a
 * user name or password in it, an s3 remote without bucket or region.
 */
export function checkRemoteOptions(scheme: RemoteScheme, options: Record<string, string>): void {
  for (const key of Object.keys(options)) {
    if (isPublic(scheme, key)) continue;
    const where = scheme === 's3' ? SECRET_S3_OPTIONS[key] : undefined;
    if (where || CREDENTIAL_LOOKING.test(key)) {
      throw new TroveError(
        'BAD_INPUT',
        `${key} is a credential and does not go on the command line (shell history, \`ps\`) or into the library: ${where ?? 'set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment or store them with `trove remote credentials`'}`,
      );
    }
    const valid = PUBLIC_OPTIONS[scheme];
    const near = valid.filter((v) => editDistance(key, v) <= 2);
    throw new TroveError('BAD_INPUT', `unknown ${scheme} remote option ${JSON.stringify(key)}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; valid options: ${valid.join(', ')}`);
  }
  const endpoint = options.endpoint;
  if (endpoint !== undefined && endpointUserinfo(endpoint) !== undefined) {
    throw new TroveError(
      'BAD_INPUT',
      'endpoint must not hold a user name or password (user:password@): set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment or store them with `trove remote credentials`',
    );
  }
  if (scheme === 's3') {
    if (!options.bucket) throw new TroveError('BAD_INPUT', 'an s3 remote needs bucket=<name>');
    if (!options.region) throw new TroveError('BAD_INPUT', 'an s3 remote needs region=<region> (the bucket\'s AWS region; S3-compatible servers such as MinIO usually take us-east-1)');
  }
}

/** Options as they may be printed: known harmless ones as they are (endpoint without userinfo), anything else `****`. */
export function displayOptions(scheme: RemoteScheme, options: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k, !isPublic(scheme, k) ? '****' : k === 'endpoint' ? endpointForDisplay(v) : v]),
  );
}

/** The options fit to store in state.db: the known harmless ones. */
export function storableOptions(scheme: RemoteScheme, options: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(options).filter(([k]) => isPublic(scheme, k)));
}

/** Values that must never appear in a message: every option that is neither public nor trove's own, and an endpoint's userinfo. */
export function secretValues(scheme: RemoteScheme, options: Record<string, string>): string[] {
  const out = Object.entries(options)
    .filter(([k]) => !isPublic(scheme, k) && !INTERNAL_OPTIONS.includes(k))
    .map(([, v]) => v);
  const userinfo = options.endpoint !== undefined ? endpointUserinfo(options.endpoint) : undefined;
  // The password alone too (OpenDAL may print the URL pieces apart), unless it is too short to be
  // told from ordinary text.
  const password = userinfo?.slice(userinfo.indexOf(':') + 1);
  if (userinfo) out.push(userinfo);
  if (userinfo?.includes(':') && password!.length >= 4) out.push(password!);
  // Longest first, so that a value containing another is scrubbed whole.
  return out.filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}
