// `verifyStore` on a real library: what it counts, and what it does with blobs that are bad, missing
// or not recorded.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addFiles } from '../../src/store/add-files.js';
import { Library } from '../../src/store/library.js';
import { verifyStore } from '../../src/store/verify.js';
import { contentBytes } from '../../fixtures/content.js';
import { tempDir } from '../helpers/cli.js';

let root: string;
let lib: Library;

beforeEach(() => {
  root = tempDir();
  lib = Library.init(path.join(root, 'lib')).library;
});
afterEach(() => {
  lib.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function source(name: string, size: number, seed = name): string {
  const p = path.join(root, 'src', name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, contentBytes(seed, size, 'random'));
  return p;
}

describe('verifyStore', () => {
  it('counts the bytes of every blob it checked, however many run at once', async () => {
    const sizes = [100_000, 200_000, 300_000, 400_000];
    await addFiles(lib, { paths: sizes.map((n, i) => source(`f${i}.bin`, n)), system: 'S', release: 'R', type: 'rom' });
    const report = await verifyStore(lib);
    expect(report.checked).toBe(4);
    expect(report.bad).toEqual([]);
    expect(report.bytes).toBe(1_000_000);
  });
});
