// Which remote a library uses. The non-secret part (scheme, root, bucket, endpoint, region) is a
// device-local setting in state.db — never in collection.db, which is uploaded. Credentials come from
// the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as every S3 tool accepts) and are never
// stored by this module.
import path from 'node:path';
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { OpendalRemote, type RemoteConfig } from './opendal-remote.js';
import type { Remote } from './remote.js';

export const REMOTE_SETTING = 'remote';
const SCHEMES = ['fs', 's3', 'memory'] as const;
const SECRET_OPTION = /secret|password|token|access_key|credential/i;

export function parseRemoteArgs(scheme: string, pairs: string[]): RemoteConfig {
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new TroveError('BAD_INPUT', `unknown remote scheme ${JSON.stringify(scheme)} (use one of: ${SCHEMES.join(', ')})`);
  }
  const options: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new TroveError('BAD_INPUT', `remote option ${JSON.stringify(p)} is not key=value`);
    const key = p.slice(0, eq);
    if (SECRET_OPTION.test(key)) {
      throw new TroveError('BAD_INPUT', `${key} is a credential: pass it in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), not on the command line`);
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
  lib.setSetting(REMOTE_SETTING, JSON.stringify(cfg));
}

export function loadRemoteConfig(lib: Library): RemoteConfig | undefined {
  const raw = lib.getSetting(REMOTE_SETTING);
  return raw ? (JSON.parse(raw) as RemoteConfig) : undefined;
}

/** The configured remote with credentials added from the environment. */
export function openRemote(lib: Library, env: NodeJS.ProcessEnv = process.env): Remote {
  const cfg = loadRemoteConfig(lib);
  if (!cfg) throw new TroveError('NOT_FOUND', `no remote configured for ${lib.paths.dir} (run \`trove remote set fs root=<folder>\`)`);
  const options = { ...cfg.options };
  if (cfg.scheme === 's3') {
    if (env.AWS_ACCESS_KEY_ID) options.access_key_id = env.AWS_ACCESS_KEY_ID;
    if (env.AWS_SECRET_ACCESS_KEY) options.secret_access_key = env.AWS_SECRET_ACCESS_KEY;
    if (env.AWS_SESSION_TOKEN) options.session_token = env.AWS_SESSION_TOKEN;
    if (!options.region && (env.AWS_REGION || env.AWS_DEFAULT_REGION)) options.region = (env.AWS_REGION || env.AWS_DEFAULT_REGION)!;
  }
  return new OpendalRemote({ scheme: cfg.scheme, options });
}
