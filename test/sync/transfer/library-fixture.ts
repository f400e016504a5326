// A real library in a temp folder filled from the fixture generator, for transfer tests.
import fs from 'node:fs';
import path from 'node:path';
import { generateCollection, type GeneratedRelease } from '../../../fixtures/collection.js';
import { addFiles } from '../../../src/store/add-files.js';
import { Library } from '../../../src/store/library.js';
import { tempDir } from '../../helpers/cli.js';

export interface Fixture {
  root: string;
  lib: Library;
  releases: GeneratedRelease[];
  cleanup(): void;
}

export async function libraryWithFiles(opts: { systems?: number; titlesPerSystem?: number; queueUploads?: boolean; bigFileBytes?: number } = {}): Promise<Fixture> {
  const root = tempDir('trove-xfer-');
  fs.mkdirSync(path.join(root, 'remote')); // where the tests' fs remotes point: an fs remote's root must exist
  const releases = await generateCollection(path.join(root, 'src'), {
    seed: 'xfer',
    systems: opts.systems ?? 2,
    titlesPerSystem: opts.titlesPerSystem ?? 3,
    regionsPerTitle: 2,
    duplicateEvery: 5,
    bigFileBytes: opts.bigFileBytes,
  });
  const { library: lib } = Library.init(path.join(root, 'A'));
  for (const r of releases) {
    for (const s of r.fileSets) {
      await addFiles(lib, { paths: s.files.map((f) => f.path), system: r.system, release: r.release, title: r.title, type: s.type, fileSet: s.name, queueUploads: opts.queueUploads ?? true });
    }
  }
  return {
    root,
    lib,
    releases,
    cleanup() {
      lib.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export function stateOf(lib: Library, sha1: string): string | undefined {
  return (lib.db.prepare('SELECT state FROM file_sync_log WHERE file_sha1 = ?').get(sha1) as { state: string } | undefined)?.state;
}

export function allSyncRows(lib: Library): { sha1: string; type: string; state: string; attempts: number }[] {
  return lib.db.prepare('SELECT file_sha1 AS sha1, type, state, attempts FROM file_sync_log ORDER BY file_sha1').all() as never;
}
