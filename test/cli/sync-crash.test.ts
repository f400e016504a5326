// SIGKILL of the real CLI at the dangerous moments of push and pull: afterwards the database is
// entirely old or entirely new, passes integrity_check, and the next push and pull succeed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { addRelease, cliDevice, dbSha1, integrityOk, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir();
const remoteRoot = path.join(root, 'remote');
let a: CliDevice;
let b: CliDevice;
const KILLED = 128; // runCli reports death by signal as 128

const filesUnder = (p: string): string[] =>
  fs.existsSync(p) ? fs.readdirSync(p, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];

beforeAll(async () => {
  a = await cliDevice(root, 'alpha', ['fs', `root=${remoteRoot}`]);
  b = await cliDevice(root, 'beta', ['fs', `root=${remoteRoot}`]);
  await addRelease(a, 'One (USA)');
  await a.ok(['sync', 'push']);
  await b.ok(['sync', 'pull']);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('crash during push', () => {
  it('after the snapshot blob, before its manifest: nothing half-published, the next push succeeds', async () => {
    await addRelease(a, 'Two (USA)');
    const manifests = filesUnder(path.join(remoteRoot, 'metadata', 'snapshots')).length;
    const indexes = filesUnder(path.join(remoteRoot, 'metadata', 'chunk-indexes')).length;
    const before = dbSha1(a);
    const r = await a.run(['sync', 'push'], { TROVE_CRASH_AT: 'after-snapshot-blob' });
    expect(r.code).toBe(KILLED);
    expect(filesUnder(path.join(remoteRoot, 'metadata', 'chunk-indexes')).length).toBe(indexes + 1); // the database is up
    expect(filesUnder(path.join(remoteRoot, 'metadata', 'snapshots')).length).toBe(manifests);
    expect(dbSha1(a)).toBe(before);
    expect(integrityOk(a)).toBe(true);
    // Other devices see no change; the next push reuses the orphaned blob and publishes.
    expect((await b.json(['sync', 'status'])).behind).toBe(0);
    const pushed = await a.json(['sync', 'push']);
    expect(pushed).toMatchObject({ outcome: 'pushed', uploadedBytes: 0 });
    await b.ok(['sync', 'pull']);
    expect(releases(b)).toEqual(['One (USA)', 'Two (USA)']);
  });
});

describe('crash during the replacement on pull', () => {
  it('before the rename: the old database stays, whole, and the next pull succeeds', async () => {
    await addRelease(a, 'Three (USA)');
    await a.ok(['sync', 'push']);
    const before = dbSha1(b);
    const r = await b.run(['sync', 'pull'], { TROVE_CRASH_AT: 'during-replace' });
    expect(r.code).toBe(KILLED);
    expect(dbSha1(b)).toBe(before);
    expect(releases(b)).toEqual(['One (USA)', 'Two (USA)']);
    expect(integrityOk(b)).toBe(true);
    expect(fs.readdirSync(b.dir).filter((f) => f.startsWith('collection.db-'))).toEqual([]);
    expect(fs.readdirSync(path.join(b.dir, 'tmp')).length).toBeGreaterThan(0); // the downloaded snapshot
    const st = await b.json(['sync', 'status']);
    expect(fs.readdirSync(path.join(b.dir, 'tmp'))).toEqual([]); // cleaned: its process is gone
    expect(st).toMatchObject({ behind: 1, localChanges: { changed: false }, conflict: false });
    await b.ok(['sync', 'pull']);
    expect(releases(b)).toEqual(['One (USA)', 'Three (USA)', 'Two (USA)']);
    await addRelease(b, 'Four (USA)');
    await b.ok(['sync', 'push']);
    await a.ok(['sync', 'pull']);
    expect(releases(a)).toContain('Four (USA)');
  });

  it('after the rename: the new database is in place and the bookkeeping completes on the next run', async () => {
    await addRelease(a, 'Five (USA)');
    await a.ok(['sync', 'push']);
    const r = await b.run(['sync', 'pull'], { TROVE_CRASH_AT: 'after-rename' });
    expect(r.code).toBe(KILLED);
    expect(releases(b)).toContain('Five (USA)');
    expect(integrityOk(b)).toBe(true);
    const st = await b.json(['sync', 'status']);
    expect(st).toMatchObject({ behind: 0, localChanges: { changed: false }, conflict: false });
    expect((await b.ok(['sync', 'pull'])).stdout).toMatch(/Nothing to pull/);
    await addRelease(b, 'Six (USA)');
    await b.ok(['sync', 'push']);
    await a.ok(['sync', 'pull']);
    expect(releases(a)).toContain('Six (USA)');
  });
});
