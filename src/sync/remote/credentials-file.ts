// Remote credentials at rest: `$XDG_CONFIG_HOME/trove/credentials` (or ~/.config/trove/credentials,
// or $TROVE_CREDENTIALS_FILE), an INI file of profiles like ~/.aws/credentials, created with mode 0600
// in a 0700 folder and rewritten atomically. Never inside a library (collection.db is uploaded,
// state.db gets copied with the library), never printed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic-fs.js';
import { TroveError } from '../../store/errors.js';

/**
 * What the file may hold: the S3 key pair and session token, and an SSE-C key (the customer-provided
 * key that encrypts every object: a secret of the same order, so it lives here and not in state.db).
 */
export const CREDENTIAL_KEYS = ['access_key_id', 'secret_access_key', 'session_token', 'server_side_encryption_customer_key'] as const;
export type CredentialKey = (typeof CREDENTIAL_KEYS)[number];
export type Credentials = Partial<Record<CredentialKey, string>>;

export function credentialsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TROVE_CREDENTIALS_FILE) return path.resolve(env.TROVE_CREDENTIALS_FILE);
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'trove', 'credentials');
}

/** Parse the INI text: `[profile]` sections of `key = value` lines; `#`/`;` comments. */
export function parseCredentials(text: string, file: string): Map<string, Credentials> {
  const profiles = new Map<string, Credentials>();
  let current: Credentials | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = profiles.get(section[1]!.trim()) ?? {};
      profiles.set(section[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    // Never echo the line: it may hold a secret.
    if (!current || !(CREDENTIAL_KEYS as readonly string[]).includes(key)) {
      throw new TroveError('BAD_INPUT', `${file} line ${i + 1}: expected [profile] or one of ${CREDENTIAL_KEYS.join(', ')} = value`);
    }
    current[key as CredentialKey] = line.slice(eq + 1).trim();
  });
  return profiles;
}

export function formatCredentials(profiles: Map<string, Credentials>): string {
  const out: string[] = ['# trove remote credentials (mode 0600). Environment variables override these.'];
  for (const [name, creds] of [...profiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`[${name}]`);
    for (const k of CREDENTIAL_KEYS) if (creds[k]) out.push(`${k} = ${creds[k]}`);
  }
  return out.join('\n') + '\n';
}

export interface LoadedCredentials {
  credentials: Credentials;
  /** The file is readable by group or others (a warning, like ssh's). */
  tooOpen: boolean;
  exists: boolean;
}

export function loadCredentials(file: string, profile: string): LoadedCredentials {
  let text: string;
  let mode: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mode = fs.statSync(file).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { credentials: {}, tooOpen: false, exists: false };
    throw new TroveError('IO', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return { credentials: parseCredentials(text, file).get(profile) ?? {}, tooOpen: (mode & 0o077) !== 0, exists: true };
}

/** Merge `creds` into `profile` and rewrite the file atomically with mode 0600. */
export async function saveCredentials(file: string, profile: string, creds: Credentials): Promise<void> {
  if (!/^[\w.-]+$/.test(profile)) throw new TroveError('BAD_INPUT', `profile name ${JSON.stringify(profile)} may only hold letters, digits, '.', '_' and '-'`);
  let profiles = new Map<string, Credentials>();
  if (fs.existsSync(file)) profiles = parseCredentials(fs.readFileSync(file, 'utf8'), file);
  profiles.set(profile, { ...(profiles.get(profile) ?? {}), ...creds });
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, formatCredentials(profiles), { mode: 0o600 });
  fs.chmodSync(file, 0o600); // the umask may have narrowed or an old file may have been wider
}

/** `****WXYZ` for an access key id (as `aws configure list` shows it), `****` for anything else. */
export function maskCredential(key: CredentialKey, value: string): string {
  if (key === 'access_key_id' && value.length >= 12) return `****${value.slice(-4)}`;
  return '****';
}
