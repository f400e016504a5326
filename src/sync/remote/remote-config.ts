// Which remote a library uses. The non-secret part (scheme, root, bucket, endpoint, region, profile)
// is a device-local setting in state.db — never in collection.db, which is uploaded. Credentials come
// from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as every S3
// tool accepts), else from the 0600 credentials file (credentials-file.ts); the environment wins.
import path from 'node:path';
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { OpendalRemote, SECRET_OPTION, describeRemote, type RemoteConfig } from './opendal-remote.js';
import { credentialsFilePath, loadCredentials, maskCredential, CREDENTIAL_KEYS, type CredentialKey } from './credentials-file.js';
import type { Remote } from './remote.js';

export const REMOTE_SETTING = 'remote';
const SCHEMES = ['fs', 's3', 'memory'] as const;
const ENV_FOR: Record<CredentialKey, string> = {
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
    const key = p.slice(0, eq);
    if (SECRET_OPTION.test(key)) {
      throw new TroveError(
        'BAD_INPUT',
        `${key} is a credential: pass it in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or store it with \`trove remote credentials\`, not on the command line`,
      );
    }
    options[key] = p.slice(eq + 1);
  }
  if (scheme === 'fs') {
    if (!options.root) throw new TroveError('BAD_INPUT', 'an fs remote needs root=<folder>');
    options.root = path.resolve(options.root);
  }
  if (scheme === 's3' && !options.bucket) throw new TroveError('BAD_INPUT', 'an s3 remote needs bucket=<name>');
  return { scheme: scheme as RemoteConfig['scheme'], options };
}

export function saveRemoteConfig(lib: Library, cfg: RemoteConfig): void {
  const clean = Object.fromEntries(Object.entries(cfg.options).filter(([k]) => !SECRET_OPTION.test(k)));
  lib.setSetting(REMOTE_SETTING, JSON.stringify({ scheme: cfg.scheme, options: clean }));
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
      const fromEnv = env[ENV_FOR[k]];
      const value = fromEnv || loaded.credentials[k];
      if (!value) continue;
      options[k] = value;
      sources[k] = fromEnv ? 'environment' : 'credentials file';
      masked[k] = maskCredential(k, value);
    }
    if (!options.region && (env.AWS_REGION || env.AWS_DEFAULT_REGION)) options.region = (env.AWS_REGION || env.AWS_DEFAULT_REGION)!;
    delete options.profile;
  }
  return { config: cfg, options, sources, masked, credentialsFile: file, warnings };
}

/** The configured remote with its credentials. */
export function openRemote(lib: Library, env: NodeJS.ProcessEnv = process.env): Remote {
  const cfg = requireRemoteConfig(lib);
  const r = resolveRemote(cfg, env);
  return new OpendalRemote({ scheme: cfg.scheme, options: r.options });
}

export { describeRemote };
