// A fresh store/ and tmp/ pair per test, for tests of the blob store without a whole library.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { tempDir } from './cli.js';

export interface StoreDirsFixture {
  dir: string;
  dirs: { storeDir: string; tmpDir: string };
}

/** Registers beforeEach/afterEach hooks; read the fields inside tests (they change per test). */
export function useStoreDirs(): StoreDirsFixture {
  const fx = {} as StoreDirsFixture;
  beforeEach(() => {
    fx.dir = tempDir();
    fx.dirs = { storeDir: path.join(fx.dir, 'store'), tmpDir: path.join(fx.dir, 'tmp') };
    fs.mkdirSync(fx.dirs.storeDir);
    fs.mkdirSync(fx.dirs.tmpDir);
  });
  afterEach(() => fs.rmSync(fx.dir, { recursive: true, force: true }));
  return fx;
}
