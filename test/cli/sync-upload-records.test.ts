// A device whose only local changes are upload records (file_sync_log, written by `trove upload`)
// is not in conflict with another device's push: a plain `sync pull` merges the head in and pushes
// (QA2-E F7). A real catalogue change still needs a choice.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { addRelease, cliDevice, releases } from './sync-helpers.js';

const root = tempDir('trove-upload-records-');
const SLOW = 240_000;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function logStates(dir: string): string[] {
  const db = new Database(path.join(dir, 'collection.db'), { readonly: true });
  try {
    return (db.prepare('SELECT state FROM file_sync_log ORDER BY file_sha1').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

it('add → push → upload on one device, a push on another: the plain pull merges, keeps the upload records, and pushes', async () => {
  const remote = ['fs', `root=${path.join(root, 'remote')}`];
  const a = await cliDevice(root, 'alpha', remote);
  const b = await cliDevice(root, 'beta', remote);
  await addRelease(a, 'Alpha (USA)');
  await a.ok(['sync', 'push']);
  await b.ok(['sync', 'pull']);
  await a.ok(['upload']);
  expect(logStates(a.dir)).toEqual(['UploadCompleted']);
  await addRelease(b, 'Beta (USA)');
  await b.ok(['sync', 'push']);

  const r = await a.json(['sync', 'pull']);
  expect(r.outcome).toBe('merge');
  expect(r.reason).toMatch(/only upload records changed here/);
  expect(releases(a)).toEqual(['Alpha (USA)', 'Beta (USA)']);
  expect(logStates(a.dir)).toContain('UploadCompleted');
  expect((await a.json(['sync', 'status'])).conflict).toBe(false);
  await b.ok(['sync', 'pull']);
  expect(releases(b)).toEqual(['Alpha (USA)', 'Beta (USA)']);
  expect(logStates(b.dir)).toContain('UploadCompleted'); // B learns that Alpha's file is on the remote

  // A real catalogue change beside the upload records still needs a choice.
  await addRelease(a, 'Gamma (USA)');
  await b.ok(['upload']);
  await addRelease(b, 'Delta (USA)');
  await b.ok(['sync', 'push']);
  const refused = await a.run(['sync', 'pull']);
  expect(refused.code).toBe(3);
}, SLOW);
