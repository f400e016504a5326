// The library lock between trove processes, and within one process that loads it twice.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireSharedLibraryLock, LIBRARY_LOCK_FILE, withExclusiveLibraryLock } from '../../src/store/library-lock.js';
import { tempDir } from '../helpers/cli.js';

const root = tempDir('trove-lock-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = path.join(root, `lib-${++n}`);
  fs.mkdirSync(d);
  return d;
};

/** Whether another process can take the lock exclusive right now (no wait). */
function otherProcessCanTakeExclusive(dir: string): boolean {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path.join(dir, LIBRARY_LOCK_FILE))});
    db.pragma('busy_timeout = 0');
    try { db.exec('BEGIN EXCLUSIVE'); db.exec('ROLLBACK'); process.stdout.write('yes'); } catch { process.stdout.write('no'); }`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: process.cwd() }) === 'yes';
}

describe('library lock', () => {
  it('another process cannot take it exclusive while a library is open; can once it is released', () => {
    const dir = freshDir();
    const lock = acquireSharedLibraryLock(dir);
    expect(otherProcessCanTakeExclusive(dir)).toBe(false);
    lock.release();
    expect(otherProcessCanTakeExclusive(dir)).toBe(true);
  });

  it('an exclusive taker suspends the holds of a second copy of the module (the TUI and CLI bundles; QA2 F3)', async () => {
    const dir = freshDir();
    const copy = (await import('../../src/store/library-lock.js?second-copy' as string)) as typeof import('../../src/store/library-lock.js');
    expect(copy.acquireSharedLibraryLock).not.toBe(acquireSharedLibraryLock); // really two module instances
    const held = copy.acquireSharedLibraryLock(dir);
    try {
      const t0 = Date.now();
      expect(await withExclusiveLibraryLock(dir, 'test', async () => 'replaced')).toBe('replaced');
      expect(Date.now() - t0).toBeLessThan(3_000); // not the 5 s wait for a lock that never frees
    } finally {
      held.release();
    }
  });

  it('a hold released while the lock was exclusive is not taken again afterwards', async () => {
    const dir = freshDir();
    const lock = acquireSharedLibraryLock(dir);
    await withExclusiveLibraryLock(dir, 'test', async () => lock.release()); // the library closed during the replacement
    expect(otherProcessCanTakeExclusive(dir)).toBe(true);
  });
});
