// Which remote a library uses. The non-secret part (scheme, root, bucket, endpoint, region, profile,
// and the other options remote-options.ts lists as harmless) is a device-local setting in state.db —
// never in collection.db, which is uploaded. Credentials come from the environment
// (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as every S3 tool accepts), else
// from the 0600 credentials file (credentials-file.ts), which also holds an SSE-C key; the
// environment wins. Nothing else: OpenDAL's own fallbacks (~/.aws/config, EC2 instance metadata)
// are switched off, so that "no credentials" is said as such instead of surfacing as an IMDS timeout.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { OpendalRemote, describeRemote, type RemoteConfig } from './opendal-remote.js';
import { credentialsFilePath, loadCredentials, maskCredential, CREDENTIAL_KEYS, type CredentialKey } from './credentials-file.js';
import { checkRemoteOptions, storableOptions } from './remote-options.js';
import type { Remote } from './remote.js';

export const REMOTE_SETTING = 'remote';
const SCHEMES = ['fs', 's3', 'memory'] as const;
const ENV_FOR: Partial<Record<CredentialKey, string>> = {
  access_key_id: 'AWS_ACCESS_KEY_ID',
  secret_access_key: 'AWS_SECRET_ACCESS_KEY',
  session_token: 'AWS_SESSION_TOKEN',
};

export function parseRemoteArgs(scheme: string, pairs: string[]): RemoteConfig {
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new TroveError('BAD_INPUT', `unknown remote scheme ${JSON.stringify(scheme)} (use one of: ${SCHEMES.join(', ')})`);
  }
  const options: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new TroveError('BAD_INPUT', `remote option ${JSON.stringify(p.slice(0, Math.max(eq, 0)) || '?')} is not key=value`);
    options[p.slice(0, eq)] = p.slice(eq + 1);
  }
  if (scheme === 'fs' && !options.root) throw new TroveError('BAD_INPUT', 'an fs remote needs root=<folder>');
  // Secrets, unknown names (typos), userinfo in the endpoint, a missing bucket or region: refused
  // here, before anything is saved (remote-options.ts).
  checkRemoteOptions(scheme as RemoteConfig['scheme'], options);
  if (scheme === 'fs') options.root = path.resolve(options.root!);
  return { scheme: scheme as RemoteConfig['scheme'], options };
}

export function saveRemoteConfig(lib: Library, cfg: RemoteConfig): void {
  lib.setSetting(REMOTE_SETTING, JSON.stringify({ scheme: cfg.scheme, options: storableOptions(cfg.scheme, cfg.options) }));
}

export function loadRemoteConfig(lib: Library): RemoteConfig | undefined {
  const raw = lib.getSetting(REMOTE_SETTING);
  return raw ? (JSON.parse(raw) as RemoteConfig) : undefined;
}

export function requireRemoteConfig(lib: Library): RemoteConfig {
  const cfg = loadRemoteConfig(lib);
  if (!cfg) throw new TroveError('NOT_FOUND', `no remote configured for ${lib.paths.dir} (run \`trove remote set fs root=<folder>\`)`);
  return cfg;
}

export type CredentialSource = 'environment' | 'credentials file';

export interface ResolvedRemote {
  config: RemoteConfig;
  /** Where each credential came from (values are never part of this). */
  sources: Partial<Record<CredentialKey, CredentialSource>>;
  /** Masked values for display. */
  masked: Partial<Record<CredentialKey, string>>;
  credentialsFile: string;
  warnings: string[];
}

/** The configured remote's full options: credentials from the environment, else the file. */
export function resolveRemote(cfg: RemoteConfig, env: NodeJS.ProcessEnv = process.env): ResolvedRemote & { options: Record<string, string> } {
  const options = { ...cfg.options };
  const sources: ResolvedRemote['sources'] = {};
  const masked: ResolvedRemote['masked'] = {};
  const warnings: string[] = [];
  const file = credentialsFilePath(env);
  if (cfg.scheme === 's3') {
    const loaded = loadCredentials(file, options.profile ?? 'default');
    if (loaded.exists && loaded.tooOpen) warnings.push(`${file} is readable by other users; run chmod 600 ${file}`);
    for (const k of CREDENTIAL_KEYS) {
      const envName = ENV_FOR[k];
      const fromEnv = envName ? env[envName] : undefined;
      const value = fromEnv || loaded.credentials[k];
      if (!value) continue;
      options[k] = value;
      sources[k] = fromEnv ? 'environment' : 'credentials file';
      masked[k] = maskCredential(k, value);
    }
    const sseKey = options.server_side_encryption_customer_key;
    if (sseKey) {
      // S3 wants the key's MD5 beside it (an integrity check of the key, RFC 1321, base64): derive it.
      options.server_side_encryption_customer_key_md5 = createHash('md5').update(Buffer.from(sseKey, 'base64')).digest('base64');
      options.server_side_encryption_customer_algorithm ??= 'AES256';
    }
    if (!options.region && (env.AWS_REGION || env.AWS_DEFAULT_REGION)) options.region = (env.AWS_REGION || env.AWS_DEFAULT_REGION)!;
    delete options.profile;
    // Only what trove resolved above: no ~/.aws/config, no web identity, no EC2 instance metadata.
    options.disable_config_load = 'true';
    options.disable_ec2_metadata = 'true';
  }
  return { config: cfg, options, sources, masked, credentialsFile: file, warnings };
}

/**
 * The remote for resolved options. An s3 remote without an access key pair fails here, with AUTH
 * (exit 5, never retried) and what to do, instead of at its first request.
 */
export function remoteFor(r: ResolvedRemote & { options: Record<string, string> }): Remote {
  if (r.config.scheme === 's3') {
    const missing = (['access_key_id', 'secret_access_key'] as const).filter((k) => !r.options[k]);
    if (missing.length) {
      const what = missing.length === 2 ? 'no credentials' : `no ${missing[0]} (only ${missing[0] === 'access_key_id' ? 'secret_access_key' : 'access_key_id'} is set)`;
      throw new TroveError(
        'AUTH',
        `${what} for the s3 remote ${describeRemote(r.config)}: set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or run \`trove remote credentials\`${r.config.options.profile ? ` --profile ${r.config.options.profile}` : ''} (credentials file: ${r.credentialsFile})`,
      );
    }
  }
  return new OpendalRemote({ scheme: r.config.scheme, options: r.options });
}

/** The configured remote with its credentials. */
export function openRemote(lib: Library, env: NodeJS.ProcessEnv = process.env): Remote {
  return remoteFor(resolveRemote(requireRemoteConfig(lib), env));
}

export { describeRemote };
