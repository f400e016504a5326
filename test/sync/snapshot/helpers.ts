// Devices for snapshot tests: real libraries in temp folders on one real remote (fs or s3rver).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nameId, nowIso } from '../../../src/store/ids.js';
import { Library } from '../../../src/store/library.js';
import { openRemote, saveRemoteConfig } from '../../../src/sync/remote/remote-config.js';
import type { Remote } from '../../../src/sync/remote/remote.js';
import type { S3Server } from '../../helpers/s3rver.js';

export type RemoteKind = 'fs' | 's3';

export interface RemoteSpec {
  kind: RemoteKind;
  scheme: 'fs' | 's3';
  options: Record<string, string>;
  env: NodeJS.ProcessEnv;
}

let counter = 0;

/** A fresh remote location: a folder, or a fresh prefix in the s3rver bucket. */
export function remoteSpec(kind: RemoteKind, root: string, s3?: S3Server): RemoteSpec {
  if (kind === 'fs') {
    const folder = path.join(root, `remote-${++counter}`);
    fs.mkdirSync(folder, { recursive: true }); // an fs remote's root must exist
    return { kind, scheme: 'fs', options: { root: folder }, env: {} };
  }
  const { access_key_id, secret_access_key, ...options } = s3!.options(`/t${Date.now()}-${++counter}/`);
  return { kind, scheme: 's3', options, env: { AWS_ACCESS_KEY_ID: access_key_id, AWS_SECRET_ACCESS_KEY: secret_access_key } };
}

export interface Device {
  dir: string;
  name: string;
  spec: RemoteSpec;
  open(): { lib: Library; remote: Remote };
  /** Run fn with a freshly opened library and remote; always closes the library. */
  with<T>(fn: (lib: Library, remote: Remote) => Promise<T> | T): Promise<T>;
}

export function makeDevice(root: string, name: string, spec: RemoteSpec): Device {
  const dir = path.join(root, name);
  const { library } = Library.init(dir, { deviceName: path.basename(name) });
  saveRemoteConfig(library, { scheme: spec.scheme, options: spec.options });
  library.close();
  const open = () => {
    const lib = Library.open(dir);
    return { lib, remote: openRemote(lib, { ...spec.env }) };
  };
  return {
    dir,
    name,
    spec,
    open,
    async with(fn) {
      const { lib, remote } = open();
      try {
        return await fn(lib, remote);
      } finally {
        lib.close();
      }
    },
  };
}

/** Insert a release with one ROM file (no blob needed: snapshots carry only the catalogue). */
export function addRelease(lib: Library, release: string, system = 'Nintendo - Game Boy'): string {
  const t = nowIso();
  const systemId = nameId('system', system);
  const titleId = nameId('software_title', release.replace(/ \(.*$/, ''));
  const releaseId = nameId('release', systemId, release);
  const setId = nameId('file_set', releaseId, 'rom', 'rom');
  const sha1 = createHash('sha1').update(release).digest('hex');
  lib.db.transaction(() => {
    lib.db.prepare('INSERT OR IGNORE INTO system (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(systemId, system, t, t);
    lib.db.prepare('INSERT OR IGNORE INTO software_title (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(titleId, release.replace(/ \(.*$/, ''), t, t);
    lib.db.prepare('INSERT INTO release (id, system_id, software_title_id, name, region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(releaseId, systemId, titleId, release, 'USA', t, t);
    lib.db.prepare('INSERT INTO file_set (id, release_id, type, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(setId, releaseId, 'rom', 'rom', t, t);
    lib.db.prepare('INSERT OR IGNORE INTO file (sha1, size, crc32, md5, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(sha1, 100, '00000000', null, 'rom', t, t);
    lib.db.prepare('INSERT INTO file_set_file (id, file_set_id, file_sha1, name, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(nameId('file_set_file', setId, `${release}.gb`), setId, sha1, `${release}.gb`, 0, t, t);
  })();
  return releaseId;
}

export function releaseNames(lib: Library): string[] {
  return (lib.db.prepare('SELECT name FROM release ORDER BY name').all() as { name: string }[]).map((r) => r.name);
}

export function sha1File(file: string): string {
  return createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}
