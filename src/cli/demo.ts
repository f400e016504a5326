// The demo library: a small generated collection (three systems, regional releases, ROMs, manuals,
// box art, some duplicate content) so that a new user sees trove working before touching their files.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateCollection } from '../../fixtures/collection.js';
import { addFiles } from '../store/add-files.js';
import { Library, dataHome } from '../store/library.js';

export function defaultDemoDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataHome(env), 'demo');
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
          });
        }
      }
    } finally {
      library.close();
    }
    return true;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
