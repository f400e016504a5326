// The demo library: a small generated collection (three systems, regional releases, ROMs, manuals,
// box art, some duplicate content) so that a new user sees trove working before touching their files.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateCollection } from '../../fixtures/collection.js';
import { addFiles } from '../store/add-files.js';
import { Library, dataHome } from '../store/library.js';
import { blobPath } from '../store/blob/blob-key.js';
import { unmarkLocal } from '../store/repo/files.js';
import { listFiles, listReleases } from '../store/repo/catalog-queries.js';
import { OpendalRemote } from '../sync/remote/opendal-remote.js';
import { parseRemoteArgs, saveRemoteConfig } from '../sync/remote/remote-config.js';
import { planDrop } from '../sync/transfer/drop-plan.js';
import { runDrop } from '../sync/transfer/drop-worker.js';
import { targetFiles } from '../sync/transfer/transfer-targets.js';
import { runUploads } from '../sync/transfer/upload-worker.js';
import { prepareFsRoot } from '../sync/remote/fs-root.js';

export function defaultDemoDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataHome(env), 'demo');
}

/** The demo's remote: a local folder beside the demo library (`<demo>-remote`). */
export function demoRemoteDir(demoDir: string): string {
  return `${demoDir.replace(/[\\/]+$/, '')}-remote`;
}

/**
 * Give the demo every availability state: a local-folder remote; the first system uploaded
 * (Synchronized) with a third of its releases dropped locally (CloudOnly); the other systems not
 * uploaded (LocalOnly, pending upload); one release's ROM removed from the store without a remote
 * copy (NotAvailable: what a catalogue imported from a DAT lists before the files are found).
 */
async function spreadAvailability(library: Library, dir: string, onStep?: (line: string) => void): Promise<void> {
  const cfg = parseRemoteArgs('fs', [`root=${demoRemoteDir(dir)}`]);
  await prepareFsRoot(cfg.options.root!, true); // the demo makes its own remote folder
  saveRemoteConfig(library, cfg);
  const remote = new OpendalRemote(cfg);
  const releases = listReleases(library.db);
  const systems = [...new Set(releases.map((r) => r.system_id))];
  onStep?.(`Uploading part of it to the demo remote ${demoRemoteDir(dir)} …`);
  // Upload only the first system: the others stay UploadPending (LocalOnly) for `trove upload` to show.
  const only = new Set(targetFiles(library.db, { systemId: systems[0] }).map((f) => f.sha1));
  await runUploads(library, remote, { only, concurrency: 4 });
  const firstSystem = releases.filter((r) => r.system_id === systems[0]);
  for (const r of firstSystem.filter((_, i) => i % 3 === 0)) {
    await runDrop(library, remote, planDrop(targetFiles(library.db, { releaseId: r.id })));
  }
  const lastSystem = releases.filter((r) => r.system_id === systems[systems.length - 1]);
  const lost = lastSystem[lastSystem.length - 1];
  if (lost) {
    const rom = listFiles(library.db, { releaseId: lost.id }).find((f) => f.type === 'rom' && f.availability === 'LocalOnly');
    const shared = rom && (library.db.prepare('SELECT count(*) AS n FROM file_set_file WHERE file_sha1 = ?').get(rom.sha1) as { n: number }).n > 1;
    if (rom && !shared) {
      unmarkLocal(library.db, 'state', rom.sha1);
      library.db.prepare('DELETE FROM file_sync_log WHERE file_sha1 = ?').run(rom.sha1);
      await fs.rm(blobPath(library.paths.storeDir, rom.type, rom.sha1), { force: true });
    }
  }
}

/** Create the demo library at `dir` unless one is there already. Returns whether it was created. */
export async function ensureDemo(dir: string, onStep?: (line: string) => void): Promise<boolean> {
  try {
    await fs.access(path.join(dir, 'collection.db'));
    return false;
  } catch {
    /* create it */
  }
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'trove-demo-'));
  try {
    onStep?.(`Creating the demo library in ${dir} …`);
    const releases = await generateCollection(work, { seed: 'demo', systems: 3, titlesPerSystem: 8, regionsPerTitle: 2, duplicateEvery: 7 });
    const { library } = Library.init(dir, { deviceName: `${os.hostname()} (demo)` });
    try {
      for (const r of releases) {
        for (const fs of r.fileSets) {
          await addFiles(library, {
            paths: fs.files.map((f) => f.path),
            system: r.system,
            release: r.release,
            title: r.title,
            region: r.region,
            type: fs.type,
            fileSet: fs.name,
            queueUploads: true,
          });
        }
      }
      await spreadAvailability(library, dir, onStep);
    } finally {
      library.close();
    }
    return true;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
