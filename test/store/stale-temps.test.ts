import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempName } from '../../src/store/atomic-fs.js';
import { Library } from '../../src/store/library.js';
import { removeStaleTempsIn, tempOwner } from '../../src/store/stale-temps.js';
import { tempDir } from '../helpers/cli.js';

const root = tempDir('trove-stale-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The pid of a process that ran and exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;
}

describe('stale temps', () => {
  it('reads the owner from every temp name tempName makes, and nothing from other names', () => {
    const name = path.basename(tempName('/x', 'merge-local.db'));
    expect(tempOwner(name)).toBe(process.pid);
    expect(tempOwner(`${name}-wal`)).toBe(process.pid);
    expect(tempOwner('notes.txt')).toBeUndefined();
    expect(tempOwner('.ingest.tmp')).toBeUndefined();
    expect(tempOwner('.ingest.123.nothex000000.tmp')).toBeUndefined();
  });

  it('opening a library removes temps of dead processes, never those of a live one or other files', () => {
    const { library } = Library.init(path.join(root, 'lib'));
    const tmp = library.paths.tmpDir;
    library.close();
    const dead = Number(deadPid());
    const live = spawn('sleep', ['30']);
    try {
      const deadNames = [`.ingest.${dead}.0123456789ab.tmp`, `.snapshot-copy.db.${dead}.0123456789ab.tmp`, `.snapshot-copy.db.${dead}.0123456789ab.tmp-wal`, `.dl.${dead}.abcdefabcdef.tmp`, `.ingest.${dead}.8fda4b593d3a.1z.tmp`];
      const keep = [`.ingest.${live.pid}.0123456789ab.tmp`, `.ingest.${process.pid}.0123456789ab.tmp`, 'notes.txt', '.ingest.tmp'];
      for (const n of [...deadNames, ...keep]) fs.writeFileSync(path.join(tmp, n), 'x');
      fs.mkdirSync(path.join(tmp, 'merge-0190abcd')); // a pending merge's folder
      Library.open(path.join(root, 'lib')).close();
      expect(fs.readdirSync(tmp).sort()).toEqual([...keep, 'merge-0190abcd'].sort());
    } finally {
      live.kill();
    }
  });

  it('a missing folder is nothing to clean', () => {
    expect(removeStaleTempsIn(path.join(root, 'nope'))).toEqual([]);
  });
});
