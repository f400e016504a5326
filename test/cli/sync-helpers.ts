// Devices driven through the built CLI, for end-to-end sync tests.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, type CliResult } from '../helpers/cli.js';

export interface CliDevice {
  dir: string;
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** run and expect exit 0. */
  ok(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  json<T = any>(args: string[], env?: NodeJS.ProcessEnv): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A device for an existing library folder (no init). */
export function cliDeviceAt(dir: string, env: NodeJS.ProcessEnv = {}): CliDevice {
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--library', dir], { env: { ...env, ...extra } });
  const ok = async (args: string[], extra?: NodeJS.ProcessEnv) => {
    const r = await run(args, extra);
    if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  return { dir, run, ok, json: async (args, extra) => JSON.parse((await ok([...args, '--json'], extra)).stdout) };
}

export async function cliDevice(root: string, name: string, remoteArgs: string[], env: NodeJS.ProcessEnv = {}): Promise<CliDevice> {
  const d = cliDeviceAt(path.join(root, name), env);
  const ok = d.ok;
  await ok(['init', '--name', name]);
  // An fs remote's root must exist (`remote set` refuses a missing one): make it, as a user would.
  const fsRoot = remoteArgs[0] === 'fs' ? remoteArgs.find((a) => a.startsWith('root='))?.slice('root='.length) : undefined;
  if (fsRoot) fs.mkdirSync(fsRoot, { recursive: true });
  await ok(['remote', 'set', ...remoteArgs]);
  return d;
}

/** `trove add` one small file as a release. */
export async function addRelease(d: CliDevice, release: string): Promise<void> {
  const file = path.join(d.dir, 'tmp', `${release.replace(/\W+/g, '_')}.gb`);
  fs.writeFileSync(file, `content of ${release}`);
  await d.ok(['add', file, '--system', 'Nintendo - Game Boy', '--release', release]);
  fs.rmSync(file);
}

export function dbSha1(d: CliDevice): string {
  return createHash('sha1').update(fs.readFileSync(path.join(d.dir, 'collection.db'))).digest('hex');
}

/** Release names, read straight from the file (read-only). */
export function releases(d: CliDevice): string[] {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return (db.prepare('SELECT name FROM release ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

export function integrityOk(d: CliDevice): boolean {
  const db = new Database(path.join(d.dir, 'collection.db'));
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) === 'ok' && (db.pragma('foreign_key_check') as unknown[]).length === 0;
  } finally {
    db.close();
  }
}
